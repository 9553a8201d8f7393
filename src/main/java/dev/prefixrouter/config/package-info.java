/**
 * Checks shared by the {@code router.*} configuration records, failing start-up with the property's name. A bottom
 * package: it imports nothing of the router.
 */
package dev.prefixrouter.config;
