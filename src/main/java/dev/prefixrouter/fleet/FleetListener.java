package dev.prefixrouter.fleet;

/** Told when engines join or leave the fleet, e.g. to probe a newcomer or forget a leaver in the prefix index. */
public interface FleetListener {

    default void engineAdded(Engine engine) {
    }

    default void engineRemoved(Engine engine) {
    }
}
