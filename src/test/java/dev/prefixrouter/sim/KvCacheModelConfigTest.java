package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KvCacheModelConfigTest {

    private final KvCacheModelConfig defaults = KvCacheModelConfig.defaults();

    @Test
    void defaultsAreVllmLike() {
        assertThat(defaults.blockSize()).isEqualTo(16);
        assertThat(defaults.maxNumSeqs()).isEqualTo(256);
        assertThat(defaults.maxNumBatchedTokens()).isEqualTo(8192);
        assertThat(defaults.capacityTokens()).isEqualTo(8192L * 16);
        assertThat(defaults.timeScale()).isEqualTo(1.0);
    }

    @Test
    void timingDefaultsGiveSecondsForALongPrefillAndABatchDependentItl() {
        // A 16k-token prompt with nothing cached: two 8192-token chunks.
        double prefill = 2 * defaults.stepSeconds(8192, 0);
        assertThat(prefill).isBetween(1.0, 2.0);
        assertThat(defaults.stepSeconds(0, 1)).isCloseTo(0.00825, within(1e-9));
        assertThat(defaults.stepSeconds(0, 256)).isCloseTo(0.072, within(1e-9));
    }

    @Test
    void rejectsNonsenseNamingTheProperty() {
        assertThatThrownBy(() -> defaults.withBlockSize(0))
                .hasMessage("blockSize must be at least 1, was 0");
        assertThatThrownBy(() -> defaults.withNumGpuBlocks(-1)).hasMessageContaining("numGpuBlocks");
        assertThatThrownBy(() -> defaults.withMaxNumSeqs(0)).hasMessageContaining("maxNumSeqs");
        assertThatThrownBy(() -> defaults.withMaxNumBatchedTokens(100))
                .hasMessage("maxNumBatchedTokens (100) must be at least maxNumSeqs (256)");
        assertThatThrownBy(() -> defaults.withTimeScale(0)).hasMessageContaining("timeScale");
        assertThatThrownBy(() -> defaults.withTimeScale(Double.NaN)).hasMessageContaining("timeScale");
        assertThatThrownBy(() -> defaults.withTimeScale(Double.POSITIVE_INFINITY))
                .hasMessageContaining("timeScale");
        assertThatThrownBy(() -> new KvCacheModelConfig(16, 8, 1, 1, 0, Duration.ZERO, Duration.ZERO, 1))
                .hasMessageContaining("prefillTokensPerSecond");
        assertThatThrownBy(() -> new KvCacheModelConfig(16, 8, 1, 1, 1, Duration.ofMillis(-1), Duration.ZERO, 1))
                .hasMessageContaining("stepOverhead");
        assertThatThrownBy(() -> new KvCacheModelConfig(16, 8, 1, 1, 1, Duration.ZERO, Duration.ZERO, 1))
                .hasMessageContaining("must not both be zero");
    }

    @Test
    void allowsAFractionalTimeScale() {
        assertThat(defaults.withTimeScale(0.5).timeScale()).isEqualTo(0.5);
    }
}
