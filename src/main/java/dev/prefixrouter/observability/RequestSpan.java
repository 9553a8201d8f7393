package dev.prefixrouter.observability;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.net.URI;
import org.slf4j.MDC;

/**
 * The trace of one proxied request: its routing decision as attributes ({@code router.policy},
 * {@code router.engine}, and what the policy weighed), its outcome, and a child span per upstream attempt.
 *
 * <p>Not thread-safe by design: Reactor serialises the signals of one request.
 */
public final class RequestSpan {

    /** A request that is not traced. */
    public static final RequestSpan NONE = new RequestSpan(Tracer.NOOP, Propagator.NOOP, Span.NOOP);

    private final Tracer tracer;
    private final Propagator propagator;
    private final Span span;
    private int errorStatus;
    private boolean ended;

    RequestSpan(Tracer tracer, Propagator propagator, Span span) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.span = span;
    }

    /** The W3C trace id (32 hex digits), or {@code ""} when nothing traces. */
    public String traceId() {
        return span.context().traceId();
    }

    /** Records an attribute of the routing decision. */
    public RequestSpan tag(String key, String value) {
        span.tag(key, value);
        return this;
    }

    /** Records a numeric attribute of the routing decision. */
    public RequestSpan tag(String key, long value) {
        span.tag(key, value);
        return this;
    }

    /** A client span for the {@code number}th engine tried, child of this one. */
    public AttemptSpan attempt(String engineId, URI url, int number) {
        if (span.isNoop()) { // an unsampled request's children are unsampled: no span, its context goes upstream
            return new AttemptSpan(Span.NOOP, span.context(), propagator);
        }
        Span attempt = tracer.spanBuilder().setParent(span.context())
                .name("engine " + engineId)
                .kind(Span.Kind.CLIENT)
                .start();
        attempt.tag("router.engine", engineId).tag("router.attempt", number)
                .tag("server.address", url.getHost()).tag("server.port", url.getPort());
        return new AttemptSpan(attempt, propagator);
    }

    /**
     * The request failed with this error, and the client gets {@code status} for it; as OpenTelemetry's HTTP
     * conventions have it, only a 5xx marks a server span as an error.
     */
    public void failed(Throwable error, int status) {
        errorStatus = status;
        if (status >= 500) {
            span.error(error);
        }
    }

    /**
     * Ends the span with the status the client got: the one written, else the error's; {@code 0} when the client
     * went away first.
     */
    public void end(int writtenStatus) {
        if (ended) {
            return;
        }
        ended = true;
        int status = writtenStatus > 0 ? writtenStatus : errorStatus;
        if (status > 0) {
            span.tag("http.response.status_code", status);
        } else {
            span.event("client closed the connection");
        }
        span.end();
    }

    /**
     * Puts the request id and the trace and span ids in the logging MDC until closed, so that a line logged about
     * the request carries them: in Spring Boot's structured formats ({@code logging.structured.format.console})
     * as fields, in the plain format as its {@code [traceId-spanId]} correlation. For a line logged right there on
     * the calling thread only.
     */
    public MdcScope logContext(String requestId) {
        MDC.put("requestId", requestId);
        if (!span.isNoop()) {
            MDC.put("traceId", span.context().traceId());
            MDC.put("spanId", span.context().spanId());
        }
        return MdcScope.INSTANCE;
    }

    /** Removes what {@link #logContext} put. */
    public static final class MdcScope implements AutoCloseable {

        private static final MdcScope INSTANCE = new MdcScope();

        private MdcScope() {
        }

        @Override
        public void close() {
            MDC.remove("requestId");
            MDC.remove("traceId");
            MDC.remove("spanId");
        }
    }
}
