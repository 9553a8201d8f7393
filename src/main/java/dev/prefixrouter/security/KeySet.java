package dev.prefixrouter.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Named secrets held as their SHA-256 digests, and the constant-time check of a presented one against all of
 * them. Comparing digests with {@link MessageDigest#isEqual} takes the same time whatever the bytes, and since
 * every digest is 32 bytes, not even a key's length shows in the timing. Immutable; shared by every thread.
 */
final class KeySet {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final KeySet EMPTY = new KeySet(new String[0], new byte[0][]);
    private static final MessageDigest PROTOTYPE = sha256();
    // One digest per thread, cloned from a prototype made at start-up: no provider lookup on an event loop.
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(KeySet::cloneDigest);

    private final String[] names;
    private final byte[][] digests;

    private KeySet(String[] names, byte[][] digests) {
        this.names = names;
        this.digests = digests;
    }

    static KeySet empty() {
        return EMPTY;
    }

    /** Keys by name; the caller has checked the names. */
    static KeySet of(Map<String, String> keysByName) {
        String[] names = new String[keysByName.size()];
        byte[][] digests = new byte[names.length][];
        int i = 0;
        for (Map.Entry<String, String> key : keysByName.entrySet()) {
            names[i] = key.getKey();
            digests[i++] = digest(key.getValue());
        }
        return new KeySet(names, digests);
    }

    static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * The name of the key {@code presented} is, or {@code null}. Every key is compared, whether or not an earlier
     * one matched.
     */
    String match(String presented) {
        byte[] digest = digest(presented);
        String matched = null;
        for (int i = 0; i < digests.length; i++) {
            if (MessageDigest.isEqual(digests[i], digest) && matched == null) {
                matched = names[i];
            }
        }
        return matched;
    }

    /** Both sets together; fails, naming it, when a name is in both. */
    KeySet plus(KeySet other) {
        Map<String, byte[]> all = new LinkedHashMap<>();
        for (KeySet set : List.of(this, other)) {
            for (int i = 0; i < set.names.length; i++) {
                if (all.put(set.names[i], set.digests[i]) != null) {
                    throw new IllegalArgumentException("key name '" + set.names[i] + "' is used twice");
                }
            }
        }
        return new KeySet(all.keySet().toArray(String[]::new), all.values().toArray(byte[][]::new));
    }

    int size() {
        return names.length;
    }

    List<String> names() {
        return List.of(names);
    }

    @Override
    public String toString() {
        return "KeySet" + Arrays.toString(names);
    }

    private static byte[] digest(String secret) {
        MessageDigest digest = DIGESTS.get();
        digest.reset();
        return digest.digest(secret.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static MessageDigest cloneDigest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return sha256();
        }
    }
}
