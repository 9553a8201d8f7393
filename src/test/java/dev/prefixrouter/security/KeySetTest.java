package dev.prefixrouter.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys held as digests: matching by name, clashes, and no key in any rendering. */
class KeySetTest {

    @Test
    void aPresentedKeyMatchesByNameWhateverItsLength() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("short", "k");
        keys.put("long", "sk-" + "x".repeat(200));
        KeySet set = KeySet.of(keys);
        assertThat(set.match("k")).isEqualTo("short");
        assertThat(set.match("sk-" + "x".repeat(200))).isEqualTo("long");
        assertThat(set.match("sk-" + "x".repeat(199))).isNull();
        assertThat(set.match("K")).isNull();
        assertThat(KeySet.empty().match("k")).isNull();
    }

    @Test
    void namesMustNotClashAcrossSets() {
        KeySet configured = KeySet.of(Map.of("ops", "sk-1"));
        assertThat(configured.plus(KeySet.of(Map.of("team", "sk-2"))).names()).containsExactly("ops", "team");
        assertThatThrownBy(() -> configured.plus(KeySet.of(Map.of("ops", "sk-3"))))
                .hasMessage("key name 'ops' is used twice");
    }

    @Test
    void propertiesNameTheirKeysButNeverShowThem() {
        ClientKeysProperties properties = new ClientKeysProperties(Map.of("ops", "sk-very-secret"), "/run/keys",
                Duration.ofSeconds(10));
        assertThat(properties.enabled()).isTrue();
        assertThat(properties.toString()).contains("ops", "<set>", "/run/keys").doesNotContain("sk-very-secret");
        assertThat(new ClientKeysProperties(null, " ", Duration.ofSeconds(1)).enabled()).isFalse();
    }

    @Test
    void bearerTokensAreReadFromExactlyOneHeader() {
        assertThat(BearerToken.of(List.of("Bearer sk-1"))).isEqualTo("sk-1");
        assertThat(BearerToken.of(List.of("bearer   sk-1 "))).isEqualTo("sk-1");
        assertThat(BearerToken.of(List.of("Basic c2stMQ=="))).isNull();
        assertThat(BearerToken.of(List.of("Bearer "))).isNull();
        assertThat(BearerToken.of(List.of("Bearer sk-1", "Bearer sk-2"))).isNull();
        assertThat(BearerToken.of(null)).isNull();
    }
}
