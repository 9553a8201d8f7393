package dev.prefixrouter.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * {@code logback.events{level}}, the meter Micrometer's {@code LogbackMetrics} gives, counted by an appender on the
 * root logger instead of a turbo filter. Logback consults turbo filters on every level check, enabled or not, and
 * Reactor Netty asks {@code isDebugEnabled()} many times per request: the filter alone was 1.5 % of the router's
 * event-loop CPU under load (docs/benchmarks.md). An appender sees only the events actually logged, which is what the
 * meter counts. Spring Boot's {@code LogbackMetricsAutoConfiguration} is excluded for it
 * ({@code PrefixRouterApplication}). The appender is put back if Logback's configuration is reset.
 */
@Component
class LogEventMetrics implements MeterBinder, DisposableBean {

    static final String APPENDER = "router-log-event-metrics";

    private LoggerContext context;
    private Counting appender;
    private LoggerContextListener reattach;

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext loggerContext) || appender != null) {
            return; // another logging backend (nothing to count here), or bound already
        }
        Counting counting = new Counting(registry);
        counting.setContext(loggerContext);
        counting.setName(APPENDER);
        counting.start();
        loggerContext.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(counting);
        LoggerContextListener listener = new LoggerContextListener() {
            @Override
            public boolean isResetResistant() {
                return true;
            }

            @Override
            public void onReset(LoggerContext resetContext) {
                Logger root = resetContext.getLogger(Logger.ROOT_LOGGER_NAME);
                if (root.getAppender(APPENDER) == null) {
                    root.addAppender(counting);
                }
            }

            @Override
            public void onStart(LoggerContext startedContext) {
            }

            @Override
            public void onStop(LoggerContext stoppedContext) {
            }

            @Override
            public void onLevelChange(Logger logger, Level level) {
            }
        };
        loggerContext.addListener(listener);
        this.context = loggerContext;
        this.appender = counting;
        this.reattach = listener;
    }

    /** Detaches the appender: another application context in this JVM (tests) counts into its own registry. */
    @Override
    public synchronized void destroy() {
        if (appender != null) {
            context.removeListener(reattach);
            context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
            appender.stop();
            appender = null;
        }
    }

    /** Counts each event logged, by level. */
    private static final class Counting extends UnsynchronizedAppenderBase<ILoggingEvent> {
        private final Counter error;
        private final Counter warn;
        private final Counter info;
        private final Counter debug;
        private final Counter trace;

        Counting(MeterRegistry registry) {
            this.error = counter(registry, "error");
            this.warn = counter(registry, "warn");
            this.info = counter(registry, "info");
            this.debug = counter(registry, "debug");
            this.trace = counter(registry, "trace");
        }

        private static Counter counter(MeterRegistry registry, String level) {
            return Counter.builder("logback.events").tag("level", level)
                    .description("Number of log events that were enabled by the effective log level")
                    .baseUnit(BaseUnits.EVENTS).register(registry);
        }

        @Override
        protected void append(ILoggingEvent event) {
            switch (event.getLevel().toInt()) {
                case Level.ERROR_INT -> error.increment();
                case Level.WARN_INT -> warn.increment();
                case Level.INFO_INT -> info.increment();
                case Level.DEBUG_INT -> debug.increment();
                case Level.TRACE_INT -> trace.increment();
                default -> {
                }
            }
        }
    }
}
