package dev.prefixrouter.observability;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.propagation.Propagator;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The client span of one upstream attempt: from sending the request to the end of the engine's answer (or the
 * attempt's failure). Its context goes to the engine as W3C {@code traceparent} (and {@code tracestate}), replacing
 * whatever the client sent, so that the engine's spans are children of this attempt. An attempt of an unsampled
 * request has no span of its own (it would record nothing): the engine gets the request's context, marked
 * unsampled, so that it does not start a trace of its own either.
 */
public final class AttemptSpan {

    private final Span span;
    private final TraceContext context;
    private final Propagator propagator;
    private boolean ended;

    /** An attempt's own span, whose context goes upstream. */
    AttemptSpan(Span span, Propagator propagator) {
        this(span, span.context(), propagator);
    }

    /** An attempt without a span of its own: {@code context}, the request's, goes upstream. */
    AttemptSpan(Span span, TraceContext context, Propagator propagator) {
        this.span = span;
        this.context = context;
        this.propagator = propagator;
    }

    /** Writes the trace context into the upstream request's headers. */
    public void inject(HttpHeaders headers) {
        for (String field : propagator.fields()) {
            headers.remove(field);
        }
        propagator.inject(context, headers, HttpHeaders::set);
    }

    /** The engine answered with this status. */
    public void answered(int status) {
        span.tag("http.response.status_code", status);
    }

    /** The attempt failed; {@code retry} is why the request goes on to another engine, or {@code null}. */
    public void failed(Throwable error, String retry) {
        span.error(error);
        if (retry != null) {
            span.tag("router.retry", retry);
        }
    }

    public void end() {
        if (!ended) {
            ended = true;
            span.end();
        }
    }
}
