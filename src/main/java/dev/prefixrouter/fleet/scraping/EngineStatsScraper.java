package dev.prefixrouter.fleet.scraping;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.stats.EngineStats;
import dev.prefixrouter.prometheus.ParsedScrape;
import dev.prefixrouter.prometheus.PrometheusTextParser;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.List;
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
 * its {@link Engine}: requests running and waiting, KV-cache usage and capacity, prefix-cache hit rate. Fetching
 * is non-blocking; parsing runs on the parallel scheduler, off the event loops. A failed scrape leaves the previous
 * stats in place to age out ({@code max-age}). After each round the {@link EngineStatsListener}s are told, on the
 * parallel scheduler.
 */
@Slf4j
@Component
public class EngineStatsScraper implements SmartLifecycle {

    private final Fleet fleet;
    private final EngineStatsProperties properties;
    private final List<EngineStatsListener> listeners;
    private final PrometheusTextParser parser = new PrometheusTextParser();
    private final ConnectionProvider connections = ConnectionProvider.builder("engine-stats")
            .maxConnections(64).maxIdleTime(Duration.ofSeconds(30)).build();
    private final HttpClient client;
    private volatile Disposable loop;

    public EngineStatsScraper(Fleet fleet, EngineStatsProperties properties, List<EngineStatsListener> listeners) {
        this.fleet = fleet;
        this.properties = properties;
        this.listeners = List.copyOf(listeners);
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
                .concatMap(tick -> Flux.fromIterable(fleet.engines())
                        .filter(Engine::healthy)
                        .flatMap(this::scrape)
                        .then(Mono.fromRunnable(this::roundFinished).subscribeOn(Schedulers.parallel())))
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
    public Mono<Void> scrape(Engine engine) {
        return client.get().uri(engine.url() + "/metrics")
                .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                        : body.then(Mono.error(new IllegalStateException("HTTP " + response.status().code()))))
                .publishOn(Schedulers.parallel())
                .doOnNext(text -> store(engine, text))
                .onErrorResume(error -> {
                    log.debug("stats scrape of engine {} failed: {}", engine.id(), error.toString());
                    return Mono.empty();
                })
                .then();
    }

    private void roundFinished() {
        for (EngineStatsListener listener : listeners) {
            try {
                listener.engineStatsRefreshed();
            } catch (RuntimeException e) {
                log.error("engine stats listener {} failed; it runs again after the next round", listener, e);
            }
        }
    }

    private void store(Engine engine, String text) {
        int inFlight = engine.inFlight(); // as close to the engine's answer as this thread gets
        ParsedScrape scrape = parser.parse(text);
        if (scrape.skippedLines() > 0) {
            log.debug("engine {}: skipped {} unparseable metrics lines, first: {}", engine.id(),
                    scrape.skippedLines(), scrape.firstSkippedLine());
        }
        EngineStats previous = engine.engineStats();
        EngineStats current = previous == null ? EngineStats.from(scrape.samples(), System.nanoTime())
                : EngineStats.from(scrape.samples(), previous, System.nanoTime());
        engine.engineStats(current.withRouterInFlight(inFlight));
        if (previous != null && current.processedTokensSince(previous)) {
            engine.progressed(); // generating, even if no response byte has come back yet (whole answers)
        }
    }
}
