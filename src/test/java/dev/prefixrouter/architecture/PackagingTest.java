package dev.prefixrouter.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.PrefixRouterApplication;
import dev.prefixrouter.bench.BenchmarkRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** Nothing of the benchmark ships: it compiles with the tests, never with the application. */
class PackagingTest {

    @Test
    void theBenchmarkIsNotPartOfTheApplicationsClasses() throws Exception {
        Path application = Paths.get(PrefixRouterApplication.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        Path benchmark = Paths.get(BenchmarkRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(benchmark).isNotEqualTo(application);
        assertThat(Files.exists(application.resolve("dev/prefixrouter/bench"))).isFalse();
    }
}
