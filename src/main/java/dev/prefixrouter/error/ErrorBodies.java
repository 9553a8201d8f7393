package dev.prefixrouter.error;

import tools.jackson.core.io.JsonStringEncoder;

/** Renders OpenAI-style error bodies, for plain JSON responses and for SSE error events. */
public final class ErrorBodies {

    private ErrorBodies() {
    }

    /** {@code {"error":{"message":...,"type":...,"param":...,"code":...}}} */
    public static String json(String message, String type, String param, String code) {
        StringBuilder out = new StringBuilder(96 + message.length());
        out.append("{\"error\":{\"message\":");
        quote(out, message);
        out.append(",\"type\":");
        quote(out, type);
        out.append(",\"param\":");
        quote(out, param);
        out.append(",\"code\":");
        quote(out, code);
        return out.append("}}").toString();
    }

    public static String json(ApiException e) {
        return json(e.getMessage(), e.type(), e.param(), e.code());
    }

    /** The same error as one server-sent event, for a stream that already began. */
    public static String sseEvent(ApiException e) {
        return "data: " + json(e) + "\n\n";
    }

    private static void quote(StringBuilder out, String value) {
        if (value == null) {
            out.append("null");
            return;
        }
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(value, out);
        out.append('"');
    }
}
