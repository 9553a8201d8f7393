package dev.prefixrouter.api;

import java.nio.charset.StandardCharsets;

/**
 * Reads a small text field of a {@code multipart/form-data} body where it stands in the request's bytes, without
 * copying the body (an audio upload may be megabytes): only part headers and the field's value become strings.
 */
final class MultipartFields {

    private static final int MAX_VALUE = 1024;

    private MultipartFields() {
    }

    /** The value of form field {@code name} in {@code body[0, length)}, or {@code null} if there is none. */
    static String field(byte[] body, int length, String contentType, String name) {
        String boundary = boundary(contentType);
        if (boundary == null) {
            return null;
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        String wanted = "name=\"" + name + "\"";
        int part = indexOf(body, length, delimiter, 0);
        while (part >= 0) {
            int headersStart = part + delimiter.length + 2; // past the delimiter's CRLF
            int headersEnd = indexOf(body, length, new byte[] {'\r', '\n', '\r', '\n'}, headersStart);
            if (headersEnd < 0) {
                return null;
            }
            int next = indexOf(body, length, delimiter, headersEnd);
            if (next < 0) {
                return null;
            }
            String headers = new String(body, headersStart, Math.min(headersEnd - headersStart, 4096),
                    StandardCharsets.UTF_8);
            if (headers.contains(wanted) && !headers.contains("filename=")) {
                int valueEnd = next - 2; // the CRLF before the next delimiter
                int valueLength = Math.max(0, Math.min(valueEnd - (headersEnd + 4), MAX_VALUE));
                return new String(body, headersEnd + 4, valueLength, StandardCharsets.UTF_8).trim();
            }
            part = next;
        }
        return null;
    }

    private static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        int at = contentType.indexOf("boundary=");
        if (at < 0) {
            return null;
        }
        String boundary = contentType.substring(at + 9).split(";")[0].trim();
        return boundary.startsWith("\"") && boundary.endsWith("\"") && boundary.length() > 1
                ? boundary.substring(1, boundary.length() - 1) : boundary;
    }

    private static int indexOf(byte[] body, int length, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= length - needle.length; i++) {
            if (body[i] != needle[0]) {
                continue;
            }
            for (int k = 1; k < needle.length; k++) {
                if (body[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
