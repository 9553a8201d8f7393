package dev.prefixrouter;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class PrefixRouterApplication {
    public static void main(String[] args) {
        SpringApplication.run(PrefixRouterApplication.class, args);
    }
}
