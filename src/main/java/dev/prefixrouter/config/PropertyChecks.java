package dev.prefixrouter.config;

import java.time.Duration;

/**
 * Checks shared by the {@code router.*} configuration records: each fails start-up with a message that names the
 * property, as Spring Boot reports it.
 */
public final class PropertyChecks {

    private PropertyChecks() {
    }

    /** {@code value} (when set) must be longer than zero. */
    public static void requirePositive(Duration value, String property) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new IllegalArgumentException(property + " must be positive, was " + value);
        }
    }

    /** {@code value} (when set) must not be negative. */
    public static void requireNotNegative(Duration value, String property) {
        if (value != null && value.isNegative()) {
            throw new IllegalArgumentException(property + " must not be negative, was " + value);
        }
    }
}
