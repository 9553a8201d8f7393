package dev.prefixrouter.admission;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import lombok.extern.slf4j.Slf4j;

/**
 * One client connection's two timeouts, kept by one timer per connection instead of a handler and a timer added and
 * removed around every request (what Reactor Netty's {@code readTimeout} and {@code idleTimeout} do, about a tenth
 * of the router's CPU per short request; see docs/benchmarks.md):
 * <ul>
 * <li>a request body that pauses longer than {@code bodyRead} between two reads fails with
 *     {@link ReadTimeoutException} (the request answers 408) and the connection closes;</li>
 * <li>a connection with no request in flight for {@code idle} is closed.</li>
 * </ul>
 * Sits right after the HTTP codec, so it sees requests as they are decoded and responses as they are written: a
 * request is in flight from its headers until the last part of its final response (not an interim {@code 1xx}).
 * The timer fires at the earliest deadline that applies, and otherwise every {@code min(idle, bodyRead)} to look
 * again; a request whose body did not arrive with its headers brings the timer forward once, so both timeouts keep
 * their precision. Touched only on the connection's event loop.
 */
@Slf4j
final class ConnectionTimeouts extends ChannelDuplexHandler implements Runnable {

    static final String NAME = "router.connectionTimeouts";

    private final long idleNanos;
    private final long bodyReadNanos;
    private final long periodNanos;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private long deadline;
    private int inFlight;
    private boolean bodyPending;
    private long lastRead;
    private long idleSince;

    ConnectionTimeouts(long idleNanos, long bodyReadNanos) {
        this.idleNanos = idleNanos;
        this.bodyReadNanos = bodyReadNanos;
        this.periodNanos = Math.min(idleNanos, bodyReadNanos);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        idleSince = System.nanoTime();
        if (ctx.channel().isRegistered()) {
            schedule(idleSince + idleNanos);
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        if (timer == null) {
            schedule(idleSince + idleNanos);
        }
        ctx.fireChannelRegistered();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            inFlight++;
            bodyPending = !(msg instanceof LastHttpContent);
            lastRead = System.nanoTime();
        } else if (bodyPending) {
            bodyPending = !(msg instanceof LastHttpContent);
            lastRead = System.nanoTime();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // A body still arriving: the timer must fire by its read deadline (once; later reads only push it back).
        if (bodyPending && deadline - (lastRead + bodyReadNanos) > 0) {
            cancel();
            schedule(lastRead + bodyReadNanos);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !(msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) && inFlight > 0) {
            if (--inFlight == 0) {
                idleSince = System.nanoTime();
            }
        }
        ctx.write(msg, promise);
    }

    /** The timer: acts on a deadline passed, else waits for the next one that applies. */
    @Override
    public void run() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (inFlight == 0 && now - (idleSince + idleNanos) >= 0) {
            log.debug("closing {}: no request for {} ms", ctx.channel(), TimeUnit.NANOSECONDS.toMillis(idleNanos));
            ctx.close();
            return;
        }
        if (bodyPending && now - (lastRead + bodyReadNanos) >= 0) {
            ctx.fireExceptionCaught(ReadTimeoutException.INSTANCE);
            ctx.close();
            return;
        }
        long next = now + periodNanos;
        if (inFlight == 0) {
            next = earlier(next, idleSince + idleNanos);
        }
        if (bodyPending) {
            next = earlier(next, lastRead + bodyReadNanos);
        }
        schedule(next);
    }

    /** The earlier of two {@link System#nanoTime()} instants, which may wrap around. */
    private static long earlier(long a, long b) {
        return b - a < 0 ? b : a;
    }

    private void schedule(long at) {
        deadline = at;
        timer = ctx.executor().schedule(this, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
