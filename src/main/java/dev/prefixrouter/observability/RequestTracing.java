package dev.prefixrouter.observability;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.netty.handler.codec.http.HttpHeaders;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Starts the trace of a proxied request: a server span continuing the client's W3C {@code traceparent} (or a new
 * trace), whose attempts are client spans that carry the context on to the engines. Micrometer Tracing over the
 * OpenTelemetry SDK, set up by Spring Boot: sampling by {@code management.tracing.sampling.probability}, export
 * over OTLP only when {@code management.opentelemetry.tracing.export.otlp.endpoint} is set. An unsampled span
 * records nothing, but its context still reaches the engine, so an engine's own traces join the client's.
 *
 * <p>Spans are passed along explicitly, never put in thread locals: event loops serve many requests at once.
 */
@Component
public class RequestTracing {

    private final Tracer tracer;
    private final Propagator propagator;

    public RequestTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
        this.propagator = propagator.getIfAvailable(() -> Propagator.NOOP);
    }

    /** The span of one proxied request, named after its method and route, e.g. {@code POST /v1/responses}. */
    public RequestSpan start(HttpHeaders headers, String method, String route) {
        Span span = propagator.extract(headers, HttpHeaders::get)
                .name(method + " " + route)
                .kind(Span.Kind.SERVER)
                .start();
        if (!span.isNoop()) { // an unsampled span records nothing: its tags would only be made to be dropped
            span.tag("http.request.method", method).tag("http.route", route);
        }
        return new RequestSpan(tracer, propagator, span);
    }
}
