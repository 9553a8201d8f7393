package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenizeInputTest {

    private static TokenizeInput messages(String body) {
        return new TokenizeInput(body.getBytes(StandardCharsets.UTF_8), body.indexOf('['), body.lastIndexOf(']') + 1,
                true);
    }

    /** Each message as the bytes from its start to its end offset. */
    private static String[] elements(String body) {
        TokenizeInput input = messages(body);
        int[] ends = input.elementEnds();
        String[] out = new String[ends.length];
        int from = input.start() + 1;
        for (int i = 0; i < ends.length; i++) {
            out[i] = new String(input.body(), from, ends[i] - from, StandardCharsets.UTF_8).strip();
            if (out[i].startsWith(",")) {
                out[i] = out[i].substring(1).strip();
            }
            from = ends[i];
        }
        return out;
    }

    @Test
    void eachMessageEndsAtItsClosingBrace() {
        assertThat(elements("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\","
                + "\"content\":\"yo\"}],\"model\":\"m\"}")).containsExactly("{\"role\":\"user\",\"content\":\"hi\"}",
                        "{\"role\":\"assistant\",\"content\":\"yo\"}");
    }

    @Test
    void bracketsCommasAndEscapedQuotesInsideStringsAndPartsAreNotBoundaries() {
        String tricky = "{\"role\":\"user\",\"content\":\"a, b] } {[ \\\"q\\\", \\\\\"}";
        String parts = "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"},{\"type\":\"text\","
                + "\"text\":\"]\"}]}";
        assertThat(elements("{\"messages\":[" + tricky + "," + parts + "]}")).containsExactly(tricky, parts);
    }

    @Test
    void whitespaceAroundMessagesIsLeftOutOfTheirEnds() {
        String body = "{\"messages\" : [ \n  {\"content\":\"a\"} ,\n\t{\"content\":\"b\"}\r\n ] }";
        TokenizeInput input = messages(body);
        assertThat(input.elementEnds()).containsExactly(body.indexOf("} ,") + 1, body.indexOf("}\r") + 1);
    }

    @Test
    void anEmptyArrayAndAPromptHaveNoMessages() {
        assertThat(messages("{\"messages\":[ ]}").elementEnds()).isEmpty();
        byte[] prompt = "{\"prompt\":\"[a,b]\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(new TokenizeInput(prompt, 10, -1, false).elementEnds()).isEmpty();
    }

    @Test
    void valuesThatAreNotObjectsEndWhereTheyEnd() {
        assertThat(elements("{\"messages\":[1, \"two\" ,null,[3,[4]]]}")).containsExactly("1", "\"two\"", "null",
                "[3,[4]]");
    }
}
