package dev.prefixrouter.security;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The key file's format: one key per line, as {@code name:key} or a bare {@code key}, which is then named
 * {@code line-<n>} after its line number (named keys keep their name when lines move, so prefer them). Blank lines
 * and lines starting with {@code #} are skipped; whitespace around a line, a name or a key is ignored. A key with
 * a {@code ':'} in it must be named. A file with any bad line is refused as a whole, with a message that names the
 * line but never repeats what is on it.
 */
final class KeyFile {

    private KeyFile() {
    }

    /** Parses the file's bytes (UTF-8); throws {@link IllegalArgumentException} for a bad line or a repeated name. */
    static KeySet parse(byte[] content) {
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\n", -1);
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? "line-" + number : line.substring(0, colon).strip();
            String key = colon < 0 ? line : line.substring(colon + 1).strip();
            if (!KeySet.isValidName(name)) {
                throw new IllegalArgumentException("line " + number + ": what precedes ':' is not a key name (1 to"
                        + " 64 of A-Z a-z 0-9 . _ -); a key that contains ':' needs a name, as name:key");
            }
            if (key.isEmpty()) {
                throw new IllegalArgumentException("line " + number + ": no key after '" + name + ":'");
            }
            if (key.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                throw new IllegalArgumentException("line " + number + ": the key of '" + name + "' contains"
                        + " whitespace");
            }
            if (keys.putIfAbsent(name, key) != null) {
                throw new IllegalArgumentException("line " + number + ": key name '" + name + "' is used twice");
            }
        }
        return KeySet.of(keys);
    }
}
