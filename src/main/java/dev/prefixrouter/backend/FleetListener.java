package dev.prefixrouter.backend;

/** Told when engines join or leave the fleet, e.g. to probe a newcomer or forget a leaver in the prefix index. */
public interface FleetListener {

    default void endpointAdded(Endpoint endpoint) {
    }

    default void endpointRemoved(Endpoint endpoint) {
    }
}
