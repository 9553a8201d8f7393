/**
 * How the router leaves: the graceful drain on SIGTERM (readiness down, a grace period, then in-flight requests
 * finish). Imports only config.
 */
package dev.prefixrouter.lifecycle;
