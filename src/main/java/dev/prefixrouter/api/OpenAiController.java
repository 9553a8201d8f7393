package dev.prefixrouter.api;

import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.lifecycle.DrainSignal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The router's own answers on the API port: the models the fleet serves and the router's health. The proxied
 * OpenAI operations are functional routes ({@link ProxyRoutes}), dispatched without annotated-controller work.
 */
@RestController
public class OpenAiController {

    private final Fleet fleet;
    private final DrainSignal drain;
    private final long startedAtEpochSeconds = System.currentTimeMillis() / 1000;

    public OpenAiController(Fleet fleet, DrainSignal drain) {
        this.drain = drain;
        this.fleet = fleet;
    }

    /** Models served by at least one healthy engine, in OpenAI's list format. */
    @GetMapping("/v1/models")
    public Map<String, Object> models() {
        List<Map<String, Object>> data = fleet.healthyModels().stream()
                .<Map<String, Object>>map(id -> Map.of("id", id, "object", "model",
                        "created", startedAtEpochSeconds, "owned_by", "prefix-router"))
                .toList();
        return Map.of("object", "list", "data", data);
    }

    /**
     * 200 while at least one engine is healthy and the router is not draining, else 503: a load balancer in front
     * can steer by it.
     */
    @GetMapping("/health")
    public ResponseEntity<Map<String, Object>> health() {
        int healthy = fleet.healthyCount();
        boolean up = healthy > 0 && !drain.draining();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", drain.draining() ? "DRAINING" : up ? "UP" : "DOWN");
        body.put("healthyBackends", healthy);
        body.put("backends", fleet.engines().size());
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

}
