package dev.prefixrouter.fleet.health;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetListener;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import lombok.extern.slf4j.Slf4j;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps each engine's health and model list current: probes {@code /health} every
 * {@code router.health-check.interval} (an engine leaves rotation after {@code unhealthy-threshold} failures in a
 * row and returns on its first success) and asks engines without configured models for their {@code /v1/models}
 * every {@code models-refresh-interval}, on join, and whenever they turn healthy. All I/O is non-blocking.
 */
@Slf4j
@Component
public class EngineProber implements SmartLifecycle, FleetListener {

    private final Fleet fleet;
    private final HealthCheckProperties properties;
    private final JsonMapper json;
    private final ConnectionProvider connections = ConnectionProvider.builder("engine-probes")
            .maxConnections(64).maxIdleTime(Duration.ofSeconds(30)).build();
    private final HttpClient client;
    private final Disposable.Composite loops = Disposables.composite();
    private volatile boolean running;

    public EngineProber(Fleet fleet, HealthCheckProperties properties, JsonMapper json) {
        this.fleet = fleet;
        this.properties = properties;
        this.json = json;
        this.client = HttpClient.create(connections)
                .responseTimeout(properties.timeout())
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, properties.timeout().toMillis()));
    }

    @Override
    public void start() {
        running = true;
        fleet.addListener(this);
        loops.add(Flux.interval(properties.interval(), properties.interval())
                .onBackpressureDrop()
                .concatMap(tick -> Flux.fromIterable(fleet.engines()).flatMap(this::probeHealth).then())
                .subscribe());
        loops.add(Flux.interval(properties.modelsRefreshInterval(), properties.modelsRefreshInterval())
                .onBackpressureDrop()
                .concatMap(tick -> Flux.fromIterable(fleet.engines())
                        .filter(engine -> !engine.modelsConfigured())
                        .flatMap(this::refreshModels).then())
                .subscribe());
    }

    @Override
    public void stop() {
        running = false;
        loops.dispose();
        connections.dispose();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void engineAdded(Engine engine) {
        if (running) {
            probeHealth(engine).subscribe();
        }
    }

    /** Probes one engine now; completes when its state is updated. */
    public Mono<Void> probeHealth(Engine engine) {
        return client.get().uri(engine.url() + "/health")
                .responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
                .map(status -> status >= 200 && status < 300)
                .onErrorResume(error -> {
                    log.debug("health probe of engine {} failed: {}", engine.id(), error.toString());
                    return Mono.just(false);
                })
                .flatMap(healthy -> {
                    if (!healthy) {
                        int failures = engine.probeFailed();
                        if (failures >= properties.unhealthyThreshold() || !engine.healthy()) {
                            markHealthy(engine, false);
                        }
                        return Mono.empty();
                    }
                    engine.probeSucceeded();
                    if (engine.recoverFromStall()) {
                        log.info("engine {} answered its health probe after a stall; back in rotation", engine.id());
                    }
                    if (engine.modelsConfigured() || (engine.healthy() && !engine.models().isEmpty())) {
                        markHealthy(engine, true);
                        return Mono.empty();
                    }
                    // A newly healthy engine may serve other models than before (restarted): learn them first.
                    return refreshModels(engine).then(Mono.fromRunnable(() -> markHealthy(engine, true)));
                });
    }

    private Mono<Void> refreshModels(Engine engine) {
        return client.headers(headers -> {
                    if (engine.apiKey() != null) {
                        headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + engine.apiKey());
                    }
                })
                .get().uri(engine.url() + "/v1/models")
                .responseSingle((response, body) -> response.status().code() == 200 ? body.asByteArray()
                        : body.then(Mono.error(new IllegalStateException("HTTP " + response.status().code()))))
                .map(this::modelIds)
                .doOnNext(models -> {
                    if (!models.equals(engine.models())) {
                        log.info("engine {} serves models {}", engine.id(), models);
                    }
                    engine.models(models);
                })
                .onErrorResume(error -> {
                    log.warn("could not list models of engine {}: {}", engine.id(), error.toString());
                    return Mono.empty();
                })
                .then();
    }

    private Set<String> modelIds(byte[] body) {
        JsonNode data = json.readTree(body).path("data");
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode model : data) {
            String id = model.path("id").asString(null);
            if (id != null && !id.isEmpty()) {
                ids.add(id);
            }
        }
        return ids;
    }

    private void markHealthy(Engine engine, boolean healthy) {
        if (engine.healthy(healthy) && fleet.find(engine.id()).isPresent()) {
            if (healthy) {
                log.info("engine {} is healthy", engine.id());
            } else {
                log.warn("engine {} is unhealthy: /health did not answer 2xx within {}, {} times in a row",
                        engine.id(), properties.timeout(), properties.unhealthyThreshold());
            }
        }
    }
}
