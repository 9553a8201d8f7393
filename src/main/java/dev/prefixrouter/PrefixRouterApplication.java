package dev.prefixrouter;

import dev.prefixrouter.sim.SimulatorCommand;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts the router; {@code sim} as the first argument starts simulated engines instead (see
 * {@link SimulatorCommand}).
 */
@SpringBootApplication
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
