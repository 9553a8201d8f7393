package dev.prefixrouter;

import dev.prefixrouter.sim.SimulatorCommand;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration;

/**
 * Starts the router; {@code sim} as the first argument starts simulated engines instead (see
 * {@link SimulatorCommand}). Micrometer's Logback meter is replaced by the router's own, which costs nothing on a
 * level check ({@code observability.LogEventMetrics}).
 */
@SpringBootApplication(exclude = LogbackMetricsAutoConfiguration.class)
@ConfigurationPropertiesScan
public class PrefixRouterApplication {

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("sim")) {
            SimulatorCommand.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        SpringApplication.run(PrefixRouterApplication.class, args);
    }
}
