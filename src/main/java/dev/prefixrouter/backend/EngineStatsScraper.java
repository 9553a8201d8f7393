package dev.prefixrouter.backend;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import lombok.extern.slf4j.Slf4j;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Reads each healthy engine's {@code /metrics} every {@code router.engine-stats.interval} and stores the result on
 * its {@link Endpoint}: requests running and waiting, KV-cache usage and capacity, prefix-cache hit rate. Fetching
 * is non-blocking; parsing runs on the parallel scheduler, off the event loops. A failed scrape leaves the previous
 * stats in place to age out ({@code max-age}).
 */
@Slf4j
@Component
public class EngineStatsScraper implements SmartLifecycle {

    private final BackendRegistry registry;
    private final EngineStatsProperties properties;
    private final PrometheusTextParser parser = new PrometheusTextParser();
    private final ConnectionProvider connections = ConnectionProvider.builder("engine-stats")
            .maxConnections(64).maxIdleTime(Duration.ofSeconds(30)).build();
    private final HttpClient client;
    private volatile Disposable loop;

    public EngineStatsScraper(BackendRegistry registry, EngineStatsProperties properties) {
        this.registry = registry;
        this.properties = properties;
        this.client = HttpClient.create(connections)
                .responseTimeout(properties.timeout())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        properties.timeout().toMillis()))
                // The classic text format: OpenMetrics lines (exemplars, float timestamps) are not parsed.
                .headers(headers -> headers.set(HttpHeaderNames.ACCEPT, "text/plain;version=0.0.4"));
    }

    @Override
    public void start() {
        if (!properties.enabled()) {
            log.info("engine stats scraping is disabled (router.engine-stats.enabled=false)");
            return;
        }
        loop = Flux.interval(Duration.ZERO, properties.interval())
                .onBackpressureDrop()
                .concatMap(tick -> Flux.fromIterable(registry.endpoints())
                        .filter(Endpoint::healthy)
                        .flatMap(this::scrape)
                        .then())
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable running = loop;
        if (running != null) {
            running.dispose();
        }
        connections.dispose();
    }

    @Override
    public boolean isRunning() {
        Disposable running = loop;
        return running != null && !running.isDisposed();
    }

    /** Scrapes one engine now; completes when its stats are stored (or the scrape failed). */
    public Mono<Void> scrape(Endpoint endpoint) {
        return client.get().uri(endpoint.url() + "/metrics")
                .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                        : body.then(Mono.error(new IllegalStateException("HTTP " + response.status().code()))))
                .publishOn(Schedulers.parallel())
                .doOnNext(text -> store(endpoint, text))
                .onErrorResume(error -> {
                    log.debug("stats scrape of backend {} failed: {}", endpoint.id(), error.toString());
                    return Mono.empty();
                })
                .then();
    }

    private void store(Endpoint endpoint, String text) {
        ParsedScrape scrape = parser.parse(text);
        if (scrape.skippedLines() > 0) {
            log.debug("backend {}: skipped {} unparseable metrics lines, first: {}", endpoint.id(),
                    scrape.skippedLines(), scrape.firstSkippedLine());
        }
        EngineStats previous = endpoint.engineStats();
        endpoint.engineStats(previous == null ? EngineStats.from(scrape.samples(), System.nanoTime())
                : EngineStats.from(scrape.samples(), previous, System.nanoTime()));
    }
}
