package dev.prefixrouter;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
class PrefixRouterApplicationTests {
    @Test
    void contextLoads() {
    }
}
