package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.sim.ReceivedRequest;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.RawHttp;
import dev.prefixrouter.support.RouterTest;
import dev.prefixrouter.support.SimulatedFleet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A peer in {@code router.proxy.trusted-proxies} (loopback here, as an ingress in front of the router would be):
 * its forwarding headers are believed, every {@code X-Forwarded-For} line kept and this hop appended.
 */
@RouterTest(properties = {"router.engine-stats.enabled=false",
        "router.proxy.trusted-proxies=10.0.0.0/8, 127.0.0.0/8, ::1/128"})
class TrustedProxyForwardingTest {

    private static final SimulatedFleet fleet = new SimulatedFleet();

    @DynamicPropertySource
    static void engines(DynamicPropertyRegistry registry) {
        fleet.start("m", Duration.ZERO, Duration.ZERO);
        fleet.register(registry);
    }

    @AfterAll
    static void stopEngines() {
        fleet.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Fleet routerFleet;

    @Test
    void aTrustedProxysForwardingHeadersAreKeptAndThisHopAppended() {
        await().atMost(Duration.ofSeconds(10)).until(() -> routerFleet.healthyCount() == 1);
        String response = RawHttp.exchange(port, """
                POST /v1/chat/completions HTTP/1.1
                Host: router.internal:8080
                Content-Type: application/json
                Connection: close
                X-Forwarded-For: 203.0.113.7
                X-Forwarded-For: 10.1.2.3, 10.4.5.6
                X-Forwarded-Proto: https
                X-Forwarded-Host: api.example.test
                Forwarded: for=203.0.113.7;proto=https
                Forwarded: for=10.1.2.3""", Http.chat("m", "hi", false, 1));

        assertThat(RawHttp.status(response)).isEqualTo(200);
        List<ReceivedRequest> received = fleet.get(0).recentRequests();
        ReceivedRequest last = received.get(received.size() - 1);
        assertThat(last.values("X-Forwarded-For")).containsExactly("203.0.113.7, 10.1.2.3, 10.4.5.6, 127.0.0.1");
        assertThat(last.values("X-Forwarded-Proto")).containsExactly("https");
        assertThat(last.values("X-Forwarded-Host")).containsExactly("api.example.test");
        assertThat(last.values("Forwarded")).containsExactly(
                "for=203.0.113.7;proto=https, for=10.1.2.3, for=127.0.0.1;host=\"router.internal:8080\";proto=http");
    }
}
