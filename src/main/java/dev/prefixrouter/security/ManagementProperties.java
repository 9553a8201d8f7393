package dev.prefixrouter.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The management port's own settings, {@code router.management.*}.
 *
 * @param writeToken the token that unlocks the actuator's write operations (POST / DELETE, e.g. on
 *                   {@code /actuator/hashtrie}) as {@code Authorization: Bearer <token>}; unset (the default), every
 *                   write is refused
 */
@ConfigurationProperties("router.management")
public record ManagementProperties(String writeToken) {

    public ManagementProperties {
        writeToken = writeToken == null || writeToken.isBlank() ? null : writeToken.strip();
    }

    /** Whether write operations are possible at all. */
    public boolean writesEnabled() {
        return writeToken != null;
    }

    @Override
    public String toString() {
        return "ManagementProperties[writeToken=" + (writeToken != null ? "<set>" : "<unset>") + "]";
    }
}
