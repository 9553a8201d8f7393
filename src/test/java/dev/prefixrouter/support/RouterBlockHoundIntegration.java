package dev.prefixrouter.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Library-internal critical sections that BlockHound reports as blocking although they only guard a few memory
 * writes. Each allowance is as narrow as the library allows; everything else stays forbidden on event loops.
 */
public class RouterBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // Netty 4.2's adaptive allocator takes a StampedLock while growing its magazines; Netty's own integration
        // does not list it yet (same allowance in Armeria, line/armeria#6344).
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup",
                "tryExpandMagazines");
        // Jackson builds a (de)serializer once per type under a lock; later uses read a concurrent cache.
        builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache",
                "_createAndCacheValueDeserializer");
        builder.allowBlockingCallsInside("tools.jackson.databind.ser.SerializerCache",
                "addAndResolveNonTypedSerializer");
        // Cancelling a Flux.interval (the simulator's token clock, when the proxy or a client goes away) disposes a
        // PeriodicWorkerTask, which removes itself from its executor's queue under that queue's lock. Reactor's own
        // integration exempts WorkerTask and SchedulerTask dispose for this reason (reactor/reactor-core#3210), not
        // PeriodicWorkerTask. It is flagged only when the lock is contended, and the error, thrown inside the lock's
        // acquire, leaves the lock wedged: every later use of Schedulers.parallel() then hangs the test run.
        builder.allowBlockingCallsInside("reactor.core.scheduler.PeriodicWorkerTask", "dispose");
        // Test infrastructure only: fabric8's mock API server (Vert.x, whose event loops BlockHound polices as
        // Netty's) waits on its event loop for a closed watch's event sender to drain. The router's own Kubernetes
        // client runs on JDK HttpClient and informer threads, which need no allowance.
        builder.allowBlockingCallsInside("io.fabric8.kubernetes.client.server.mock.WatchEventsListener", "onClosed");
        builder.allowBlockingCallsInside("io.fabric8.kubernetes.client.server.mock.WatchEventsListener", "onFailure");
    }
}
