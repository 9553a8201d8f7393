package dev.prefixrouter.proxy;

import dev.prefixrouter.admission.AdmissionControl;
import dev.prefixrouter.fleet.ejection.OutlierDetector;
import dev.prefixrouter.lifecycle.DrainSignal;
import dev.prefixrouter.observability.RouterMetrics;
import dev.prefixrouter.routing.RoutingDecision;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Forwards a routed request to its engines: tries the ranked candidates in turn on connect failures and 503s,
 * then relays the response, streaming bodies chunk by chunk. See {@link ForwardedCall} for one request's course.
 */
@Component
public class ProxyForwarder {

    private final ProxyServices services;

    ProxyForwarder(UpstreamClient client, ProxyProperties properties, RouterMetrics metrics,
            OutlierDetector outliers, AdmissionControl admission, DrainSignal drain) {
        this.services = new ProxyServices(client, properties, metrics, outliers, admission, drain);
    }

    /** Completes when the response has been relayed; errors with an {@code ApiException} when none could be. */
    public Mono<Void> forward(ClientExchange exchange, ProxyRequest request, RoutingDecision decision) {
        return Mono.defer(() -> new ForwardedCall(exchange, request, decision, services).run());
    }
}
