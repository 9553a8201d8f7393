package dev.prefixrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import dev.prefixrouter.sim.EngineSimulator;
import dev.prefixrouter.support.Http;
import dev.prefixrouter.support.SimulatedFleet;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * An engine's requests are prepared once per event loop and path, and a request made from a loop gets an engine
 * connection served by that same loop, against a real simulated engine.
 */
class EngineRequestsTest {

    private static final SimulatedFleet engines = new SimulatedFleet();
    private static final LoopResources loops = LoopResources.create("engine-requests-test", 3, true);
    private static final ConnectionProvider connections = ConnectionProvider.create("engine-requests-test", 16);

    @AfterAll
    static void stop() {
        engines.close();
        connections.dispose();
        loops.dispose();
    }

    @Test
    void eachLoopsRequestsUseConnectionsOfThatLoopAndArePreparedOnce() {
        EngineSimulator simulator = engines.start("m", Duration.ZERO, Duration.ZERO);
        Fleet fleet = new Fleet(new FleetProperties(List.of()));
        Engine engine = fleet.add(new EngineSpec("e", URI.create(simulator.baseUrl()), List.of("m"), null));
        HttpClient shared = HttpClient.create(connections);
        Map<EventLoop, HttpClient> perLoop = new ConcurrentHashMap<>();
        byte[] chat = Http.chat("m", "hello", false, 2).getBytes(StandardCharsets.UTF_8);
        EngineRequests requests = new EngineRequests(engine,
                loop -> loop == null ? shared : perLoop.computeIfAbsent(loop, shared::runOn),
                (request, out) -> {
                    request.requestHeaders().set("Content-Type", "application/json");
                    return out.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(chat)));
                },
                new ConnectionPermits("e", 4, 4, Duration.ofSeconds(1)));

        EventLoopGroup group = loops.onClient(false);
        List<EventLoop> distinct = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            distinct.add(group.next());
        }
        for (EventLoop loop : distinct) {
            for (int i = 0; i < 3; i++) { // a new connection, then reused ones: always on the asking loop
                HttpClient.ResponseReceiver<?> receiver = requests.to(loop, HttpMethod.POST, "/v1/chat/completions",
                        false);
                assertThat(receiver).isSameAs(requests.to(loop, HttpMethod.POST, "/v1/chat/completions", false));
                EventLoop served = receiver.responseConnection((response, connection) -> {
                    assertThat(response.status().code()).isEqualTo(200);
                    return connection.inbound().receive().then(Mono.just(connection.channel().eventLoop()));
                }).blockLast(Duration.ofSeconds(10));
                assertThat(served).isSameAs(loop);
            }
        }
        assertThat(requests.to(distinct.get(0), HttpMethod.GET, "/v1/responses/resp_1", true))
                .isNotSameAs(requests.to(distinct.get(0), HttpMethod.GET, "/v1/responses/resp_1", true));
    }
}
