package dev.prefixrouter.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.error.ApiException;
import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.PromptKey;
import dev.prefixrouter.trie.PromptText;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The prompt read in place from the body is, character for character, the string the parser used to build: every
 * escape, every UTF-8 length, surrogate pairs split by a chunk or a read, token ids; and it hashes to the same
 * chunk keys. The reference is built from Jackson's tree with the documented rules.
 */
class JsonPromptTest {

    private final OpenAiRequestParser parser = new OpenAiRequestParser();
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void randomChatBodiesReadAsTheirReferenceText() {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 400; round++) {
            byte[] body = chatBody(random);
            checkAgainstReference(ApiOperation.CHAT_COMPLETIONS, body, random, round);
        }
    }

    @Test
    void randomPromptShapesReadAsTheirReferenceText() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 400; round++) {
            byte[] body = completionBody(random);
            checkAgainstReference(ApiOperation.COMPLETIONS, body, random, round);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"caf\\u00e9 \\\"quoted\\\" \\\\ \\/ \\b\\f\\n\\r\\t\" | 'café \"quoted\" \\ / \b\f\n\r\t'",
            "\"\\ud83d\\ude00 and \\ud800 alone\"               | '\uD83D\uDE00 and \uD800 alone'",
            "[-0, 7, -12]                                     | '0 7 -12 '",
            "[\"\", \"a\", [1], \"b\"]                        | 'a1 \n\nb'"})
    void escapesSurrogatesAndTokenIdsReadAsJacksonWouldDecodeThem(String prompt, String expected) {
        String body = "{\"model\":\"m\",\"prompt\":" + prompt + "}";
        PromptText text = parser.parse(ApiOperation.COMPLETIONS, body.getBytes(StandardCharsets.UTF_8)).prompt();
        assertThat(text.toString()).isEqualTo(expected);
        assertThat(text.length()).isEqualTo(expected.length());
    }

    @Test
    void multibyteUtf8ReadsAsItsCharacters() {
        String text = "a é € 𝄞 z".repeat(50);
        byte[] body = ("{\"model\":\"m\",\"prompt\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
        PromptText prompt = parser.parse(ApiOperation.COMPLETIONS, body).prompt();
        assertThat(prompt.toString()).isEqualTo(text);
        HashTrie trie = new HashTrie(7, 1 << 20, 1 << 20, 3);
        assertSameKey(trie.key(prompt), trie.key(text));
    }

    @Test
    void longPlainAsciiIsHashedInPlaceToTheSameKeysAsItsCharacters() {
        // Chunks of plain ASCII are hashed where they stand in the body; chunks with an escape, a non-ASCII
        // character or a separator go through the characters: every chunk must get the key its string gets.
        String text = "a".repeat(300) + "\\n" + "b".repeat(200) + "é" + "c".repeat(400) + "\\u0041" + "d".repeat(129);
        String expected = "a".repeat(300) + "\n" + "b".repeat(200) + "é" + "c".repeat(400) + "A" + "d".repeat(129);
        byte[] body = ("{\"model\":\"m\",\"messages\":[{\"content\":\"" + text + "\"},{\"content\":\""
                + "e".repeat(500) + "\"}]}").getBytes(StandardCharsets.UTF_8);
        PromptText prompt = parser.parse(ApiOperation.CHAT_COMPLETIONS, body).prompt();
        String whole = expected + "\n" + "e".repeat(500);
        assertThat(prompt.toString()).isEqualTo(whole);
        for (int chunk : new int[] {7, 64, 128}) {
            HashTrie trie = new HashTrie(chunk, 1 << 20, 1 << 20, 11);
            assertSameKey(trie.key(prompt), trie.key(whole));
        }
    }

    @Test
    void unescapedNonAsciiIsHashedInPlaceToTheKeysOfItsString() {
        // Strings of one-, two-, three- and four-byte characters, some with escapes, several per body, keyed with
        // chunk sizes that put boundaries everywhere (inside surrogate pairs, across strings, shorter and longer
        // than a string): every key must be the one its decoded string gets, and non-ASCII chunks, pairs included,
        // must actually have been hashed in place.
        SplittableRandom random = new SplittableRandom(2024);
        int[] chunkSizes = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 64, 128};
        InPlaceCounts counts = new InPlaceCounts();
        for (int round = 0; round < 300; round++) {
            StringBuilder body = new StringBuilder("{\"model\":\"m\",\"messages\":[");
            StringBuilder expected = new StringBuilder();
            int messages = 1 + random.nextInt(4);
            for (int m = 0; m < messages; m++) {
                String text = mixedText(random, random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(40));
                String json = text;
                if (random.nextInt(5) == 0) {
                    Escaped escaped = withEscapes(text, random);
                    json = escaped.json();
                    text = escaped.text();
                }
                body.append(m == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"").append(json)
                        .append("\"}");
                appendText(expected, text);
            }
            byte[] bytes = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            PromptText prompt = parser.parse(ApiOperation.CHAT_COMPLETIONS, bytes).prompt();
            String whole = expected.toString();
            assertThat(prompt.toString()).as("round %d", round).isEqualTo(whole);
            for (int chunk : chunkSizes) {
                HashTrie trie = new HashTrie(chunk, 1 << 20, 1 << 20, round);
                assertSameKey(trie.key(counts.watch(prompt)), trie.key(PromptText.of(whole)));
            }
        }
        assertThat(counts.nonAscii).as("non-ASCII chunks hashed in place").isGreaterThan(1000);
        assertThat(counts.withPairs).as("chunks with surrogate pairs hashed in place").isGreaterThan(1000);
    }

    @Test
    void inPlaceRunsAndReadsInterleaveWithoutLosingTheirPlace() {
        // One string per body, read in random steps of nextUtf8 and read: a run is offered exactly when it lies in
        // an unescaped string and neither starts nor ends between the halves of a pair; its bytes are then the
        // UTF-8 of its characters, and a refusal moves nothing.
        SplittableRandom random = new SplittableRandom(99);
        PromptText.Utf8Span span = new PromptText.Utf8Span();
        char[] buffer = new char[40];
        for (int round = 0; round < 500; round++) {
            String text = mixedText(random, random.nextInt(200));
            String json = text;
            boolean escaped = random.nextInt(4) == 0;
            if (escaped) {
                Escaped withEscapes = withEscapes(text, random);
                json = withEscapes.json();
                text = withEscapes.text();
            }
            String body = "{\"model\":\"m\",\"prompt\":\"" + json + "\"}";
            PromptText.Reader reader = parser.parse(ApiOperation.COMPLETIONS,
                    body.getBytes(StandardCharsets.UTF_8)).prompt().reader();
            StringBuilder read = new StringBuilder();
            int position = 0;
            while (position < text.length()) {
                String description = "round " + round + " at " + position + ": " + text;
                int count = 1 + random.nextInt(Math.min(30, text.length() - position + 3));
                if (random.nextBoolean()) {
                    boolean offerable = !escaped && position + count <= text.length()
                            && !betweenHalves(text, position) && !betweenHalves(text, position + count);
                    assertThat(reader.nextUtf8(count, span)).as(description).isEqualTo(offerable);
                    if (offerable) {
                        String run = text.substring(position, position + count);
                        assertThat(Arrays.copyOfRange(span.bytes(), span.offset(), span.offset() + span.length()))
                                .as(description).isEqualTo(run.getBytes(StandardCharsets.UTF_8));
                        read.append(run);
                        position += count;
                    }
                } else {
                    int n = reader.read(buffer, 0, Math.min(count, buffer.length));
                    read.append(buffer, 0, n);
                    position += n;
                }
            }
            assertThat(reader.read(buffer, 0, 1)).isZero();
            assertThat(read.toString()).as("round %d", round).isEqualTo(text);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"m\",\"prompt\":\"abc     | an unterminated string",
            "{\"model\":\"m\",\"prompt\":\"ab\\u12 | \\u escape",
            "{\"model\":\"m\",\"prompt\":\"a\\qb\"} | an unknown escape"})
    void brokenStringsAre400(String body, String detail) {
        assertThat(rejection(body.getBytes(StandardCharsets.UTF_8))).hasMessageContaining(detail)
                .hasMessageStartingWith("Request body is not valid JSON");
    }

    @Test
    void invalidUtf8Is400() {
        byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0,
                (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x28,
                (byte) 0xA1}};
        for (byte[] sequence : bad) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes("{\"model\":\"m\",\"prompt\":\"x".getBytes(StandardCharsets.UTF_8));
            body.writeBytes(sequence);
            body.writeBytes("y\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(rejection(body.toByteArray()).status().value()).isEqualTo(400);
        }
    }

    private ApiException rejection(byte[] body) {
        return (ApiException) org.assertj.core.api.Assertions.catchThrowable(
                () -> parser.parse(ApiOperation.COMPLETIONS, body));
    }

    private void checkAgainstReference(ApiOperation operation, byte[] body, SplittableRandom random, int round) {
        String expected = reference(operation, body);
        PromptText prompt = parser.parse(operation, body).prompt();
        String description = "round " + round + ": " + new String(body, StandardCharsets.UTF_8);
        assertThat(prompt.length()).as(description).isEqualTo(expected.length());
        assertThat(readInRandomPieces(prompt, random)).as(description).isEqualTo(expected);
        for (int chunk : new int[] {1, 5, 128}) {
            HashTrie trie = new HashTrie(chunk, 1 << 20, 1 << 20, round);
            assertSameKey(trie.key(prompt), trie.key(expected));
        }
    }

    private static void assertSameKey(PromptKey actual, PromptKey expected) {
        assertThat(actual.chunks()).isEqualTo(expected.chunks());
        assertThat(actual.promptLength()).isEqualTo(expected.promptLength());
        for (int d = 0; d < expected.chunks(); d++) {
            assertThat(actual.hash(d)).as("chunk %d", d).isEqualTo(expected.hash(d));
        }
    }

    private static String readInRandomPieces(PromptText prompt, SplittableRandom random) {
        PromptText.Reader reader = prompt.reader();
        StringBuilder out = new StringBuilder();
        char[] buffer = new char[64];
        while (true) {
            int count = 1 + random.nextInt(buffer.length - 1);
            int read = reader.read(buffer, 1, count - 1 == 0 ? 1 : count - 1);
            if (read == 0) {
                return out.toString();
            }
            out.append(buffer, 1, read);
        }
    }

    /** The prompt by the documented rules, from Jackson's tree of the same body. */
    private String reference(ApiOperation operation, byte[] body) {
        JsonNode root = json.readTree(body);
        StringBuilder prompt = new StringBuilder();
        JsonNode field = root.get(operation.promptField());
        if (operation == ApiOperation.CHAT_COMPLETIONS) {
            for (JsonNode message : field) {
                JsonNode content = message.get("content");
                if (content == null || content.isNull()) {
                    continue;
                }
                if (content.isString()) {
                    appendText(prompt, content.asString());
                } else {
                    for (JsonNode part : content) {
                        appendText(prompt, part.isString() ? part.asString() : part.get("text").asString());
                    }
                }
            }
        } else if (field.isString()) {
            prompt.append(field.asString());
        } else {
            for (JsonNode element : field) {
                if (element.isString()) {
                    appendText(prompt, element.asString());
                } else if (element.isNumber()) {
                    prompt.append(element.asLong()).append(' ');
                } else {
                    for (JsonNode id : element) {
                        prompt.append(id.asLong()).append(' ');
                    }
                    prompt.append('\n');
                }
            }
        }
        return prompt.toString();
    }

    private static void appendText(StringBuilder prompt, String text) {
        if (!prompt.isEmpty()) {
            prompt.append('\n');
        }
        prompt.append(text);
    }

    private static byte[] chatBody(SplittableRandom random) {
        StringBuilder body = new StringBuilder("{\"model\":\"m\",\"messages\":[");
        int messages = random.nextInt(5);
        for (int m = 0; m < messages; m++) {
            body.append(m == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":");
            switch (random.nextInt(3)) {
                case 0 -> body.append("null");
                case 1 -> body.append(jsonString(random));
                default -> {
                    body.append('[');
                    int parts = random.nextInt(4);
                    for (int p = 0; p < parts; p++) {
                        body.append(p == 0 ? "" : ", ");
                        body.append(random.nextBoolean() ? jsonString(random)
                                : "{\"type\":\"text\",\"text\":" + jsonString(random) + "}");
                    }
                    body.append(']');
                }
            }
            body.append('}');
        }
        return body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] completionBody(SplittableRandom random) {
        StringBuilder body = new StringBuilder("{\"model\":\"m\",\"prompt\":");
        if (random.nextInt(4) == 0) {
            body.append(jsonString(random));
        } else {
            body.append('[');
            int elements = random.nextInt(8);
            for (int e = 0; e < elements; e++) {
                body.append(e == 0 ? "" : " , ");
                switch (random.nextInt(3)) {
                    case 0 -> body.append(jsonString(random));
                    case 1 -> body.append(random.nextLong(-5, 200_000));
                    default -> {
                        body.append("[ ");
                        int ids = random.nextInt(5);
                        for (int i = 0; i < ids; i++) {
                            body.append(i == 0 ? "" : ",\n ").append(random.nextLong(0, Long.MAX_VALUE));
                        }
                        body.append(']');
                    }
                }
            }
            body.append(']');
        }
        return body.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Random text of ASCII (no quote or backslash), two-byte, three-byte (CJK) and four-byte characters. */
    private static String mixedText(SplittableRandom random, int codePoints) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            switch (random.nextInt(8)) {
                case 0, 1, 2 -> out.append("abc xyz.019,!?".charAt(random.nextInt(14)));
                case 3 -> out.append((char) random.nextInt(0x80, 0x800));
                case 4 -> out.append((char) random.nextInt(0x4E00, 0xA000));
                case 5 -> out.append((char) (random.nextBoolean() ? random.nextInt(0x800, 0xD800)
                        : random.nextInt(0xE000, 0x10000)));
                default -> out.appendCodePoint(random.nextBoolean() ? random.nextInt(0x1F600, 0x1F650)
                        : random.nextInt(0x10000, 0x110000));
            }
        }
        return out.toString();
    }

    /** A text and its JSON string content, which holds at least one escape. */
    private record Escaped(String json, String text) {
    }

    /**
     * The text with escaped characters put in (newline, quote, backslash, slash, tab, each as its two-character
     * escape) and some of its own characters written as six-character hex escapes (a pair as two).
     */
    private static Escaped withEscapes(String text, SplittableRandom random) {
        StringBuilder json = new StringBuilder();
        StringBuilder decoded = new StringBuilder();
        boolean any = false;
        for (int i = 0; i <= text.length(); i++) {
            if (random.nextInt(12) == 0 || (!any && i == text.length())) {
                int e = random.nextInt(5);
                json.append('\\').append("n\"\\/t".charAt(e));
                decoded.append("\n\"\\/\t".charAt(e));
                any = true;
            }
            if (i == text.length()) {
                break;
            }
            int code = text.codePointAt(i);
            String chars = new String(Character.toChars(code));
            if (random.nextInt(8) == 0) {
                for (char c : chars.toCharArray()) {
                    json.append(String.format("\\u%04x", (int) c));
                }
                any = true;
            } else {
                json.append(chars);
            }
            decoded.append(chars);
            i += chars.length() - 1;
        }
        return new Escaped(json.toString(), decoded.toString());
    }

    private static boolean betweenHalves(String text, int index) {
        return index > 0 && index < text.length() && Character.isHighSurrogate(text.charAt(index - 1))
                && Character.isLowSurrogate(text.charAt(index));
    }

    /** Counts the chunks a prompt's readers offer in place that hold non-ASCII bytes, and four-byte ones. */
    private static final class InPlaceCounts {
        long nonAscii;
        long withPairs;

        PromptText watch(PromptText prompt) {
            return new PromptText() {
                @Override
                public int length() {
                    return prompt.length();
                }

                @Override
                public Reader reader() {
                    Reader reader = prompt.reader();
                    return new Reader() {
                        @Override
                        public int read(char[] target, int offset, int count) {
                            return reader.read(target, offset, count);
                        }

                        @Override
                        public boolean nextUtf8(int count, Utf8Span span) {
                            if (!reader.nextUtf8(count, span)) {
                                return false;
                            }
                            boolean high = false;
                            boolean lead4 = false;
                            for (int i = span.offset(); i < span.offset() + span.length(); i++) {
                                high |= span.bytes()[i] < 0;
                                lead4 |= (span.bytes()[i] & 0xF8) == 0xF0;
                            }
                            nonAscii += high ? 1 : 0;
                            withPairs += lead4 ? 1 : 0;
                            return true;
                        }
                    };
                }
            };
        }
    }

    /** A JSON string of random characters, each written raw (as UTF-8) or escaped at random. */
    private static String jsonString(SplittableRandom random) {
        StringBuilder out = new StringBuilder("\"");
        int length = random.nextInt(3) == 0 ? random.nextInt(400) : random.nextInt(20);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 4) {
                char c = (char) random.nextInt(0x20, 0x7F);
                out.append(c == '"' || c == '\\' ? "\\" + c : String.valueOf(c));
            } else if (kind == 4) {
                out.append((char) random.nextInt(0x80, 0x800));
            } else if (kind == 5) {
                char c = (char) random.nextInt(0x800, 0xD800);
                out.append(c);
            } else if (kind == 6) {
                out.appendCodePoint(random.nextInt(0x10000, 0x110000));
            } else if (kind == 7) {
                out.append("\\n\\t\\\"\\/\\\\\\b\\f\\r".substring(2 * random.nextInt(8)).substring(0, 2));
            } else if (kind == 8) {
                out.append(String.format("\\u%04x", random.nextInt(0, 0x10000)));
            } else {
                int code = random.nextInt(0x10000, 0x110000);
                out.append(String.format("\\u%04X\\u%04x", (int) Character.highSurrogate(code),
                        (int) Character.lowSurrogate(code)));
            }
        }
        return out.append('"').toString();
    }
}
