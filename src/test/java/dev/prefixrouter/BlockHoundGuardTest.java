package dev.prefixrouter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/** Proves the test run's guard is on: a blocking call on a non-blocking thread fails loudly. */
class BlockHoundGuardTest {

    @Test
    void blockingOnAReactorSchedulerIsDetected() {
        Throwable error = Mono.fromCallable(() -> {
                    Thread.sleep(1);
                    return "slept";
                })
                .subscribeOn(Schedulers.parallel())
                .materialize()
                .block(Duration.ofSeconds(5))
                .getThrowable();
        assertThat(error).isInstanceOf(BlockingOperationError.class);
    }

    @Test
    void blockingOnANettyEventLoopIsDetected() {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> {
                    try {
                        Thread.sleep(1);
                        return response.sendString(Mono.just("slept"));
                    } catch (BlockingOperationError e) {
                        return response.status(500).sendString(Mono.just("blocking call detected"));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .bindNow();
        try {
            String body = HttpClient.create().get().uri("http://127.0.0.1:" + server.port() + "/")
                    .responseContent().aggregate().asString().block(Duration.ofSeconds(5));
            assertThat(body).isEqualTo("blocking call detected");
        } finally {
            server.disposeNow();
        }
    }
}
