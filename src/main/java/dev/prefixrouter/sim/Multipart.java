package dev.prefixrouter.sim;

import java.nio.charset.StandardCharsets;

/** Reads one text field of a {@code multipart/form-data} body held in memory. */
final class Multipart {

    private Multipart() {
    }

    /** The value of the form field {@code name}, or {@code null} when the body has none or is not multipart. */
    static String field(byte[] body, String contentType, String name) {
        int at = contentType.indexOf("boundary=");
        if (at < 0) {
            return null;
        }
        String boundary = contentType.substring(at + 9).split(";")[0].trim().replace("\"", "");
        String text = new String(body, StandardCharsets.ISO_8859_1); // byte for byte: offsets stay the same
        String delimiter = "--" + boundary;
        String wanted = "name=\"" + name + "\"";
        int part = text.indexOf(delimiter);
        while (part >= 0) {
            int headersEnd = text.indexOf("\r\n\r\n", part);
            int next = text.indexOf(delimiter, part + delimiter.length());
            if (headersEnd < 0 || next < 0) {
                return null;
            }
            String headers = text.substring(part, headersEnd);
            if (headers.contains(wanted) && !headers.contains("filename=")) {
                String value = text.substring(headersEnd + 4, next);
                return new String(value.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8)
                        .replaceAll("\r\n$", "");
            }
            part = next;
        }
        return null;
    }
}
