package dev.prefixrouter.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import dev.prefixrouter.support.RouterTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code logback.events} is counted by an appender, and no turbo filter is left in Logback's way: a turbo filter is
 * consulted on every level check, which Reactor Netty makes many times per request.
 */
@RouterTest
class LogEventMetricsTest {

    private static final Logger log = LoggerFactory.getLogger(LogEventMetricsTest.class);

    @Autowired
    MeterRegistry registry;

    @Test
    void logEventsAreCountedByLevelWithoutATurboFilter() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getTurboFilterList()).isEmpty();

        double warnings = registry.get("logback.events").tag("level", "warn").counter().count();
        double errors = registry.get("logback.events").tag("level", "error").counter().count();
        log.warn("a warning the meter counts");
        log.warn("and another");
        log.error("an error the meter counts");
        log.debug("below the effective level: not logged, not counted");

        assertThat(registry.get("logback.events").tag("level", "warn").counter().count()).isEqualTo(warnings + 2);
        assertThat(registry.get("logback.events").tag("level", "error").counter().count()).isEqualTo(errors + 1);
    }
}
