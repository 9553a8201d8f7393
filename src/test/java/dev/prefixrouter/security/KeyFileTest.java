package dev.prefixrouter.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The key file's format: named and bare keys, comments, and bad lines that are named but never echoed. */
class KeyFileTest {

    private static KeySet parse(String text) {
        return KeyFile.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void namedAndBareKeysCommentsAndBlankLines() {
        KeySet keys = parse("""
                # keys for the router, one per line
                team-a:sk-aaaaaaaaaaaaaaaa

                  team.b : sk-bbbbbbbbbbbbbbbb \r
                sk-bare-cccccccccccc
                """);
        assertThat(keys.names()).containsExactly("team-a", "team.b", "line-5");
        assertThat(keys.match("sk-aaaaaaaaaaaaaaaa")).isEqualTo("team-a");
        assertThat(keys.match("sk-bbbbbbbbbbbbbbbb")).isEqualTo("team.b");
        assertThat(keys.match("sk-bare-cccccccccccc")).isEqualTo("line-5");
        assertThat(keys.match("sk-aaaaaaaaaaaaaaab")).isNull();
        assertThat(keys.match("")).isNull();
        assertThat(keys.toString()).doesNotContain("sk-");
    }

    @Test
    void anEmptyFileHoldsNoKey() {
        assertThat(parse("# nothing yet\n\n").size()).isZero();
        assertThat(KeyFile.parse(new byte[0]).size()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a:k1\\nsecret with space:k2 | line 2: what precedes ':' is not a key name",
            "a:k1\\nb:                   | line 2: no key after 'b:'",
            "a:k1\\nb:two words          | line 2: the key of 'b' contains whitespace",
            "a:k1\\n\\na:k2              | line 3: key name 'a' is used twice"})
    void aBadLineRefusesTheFileAndIsNamedWithoutItsContent(String text, String message) {
        assertThatThrownBy(() -> parse(text.replace("\\n", "\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message)
                .message().doesNotContain("k1", "k2", "secret", "two words");
    }

    @Test
    void aKeyNamedLikeAnotherKeysLineNameClashes() {
        assertThatThrownBy(() -> parse("sk-first\nline-1:sk-second"))
                .hasMessage("line 2: key name 'line-1' is used twice");
    }
}
