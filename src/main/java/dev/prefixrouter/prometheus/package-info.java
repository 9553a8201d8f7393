/**
 * A parser for the Prometheus text exposition format, as engines serve it on {@code /metrics}. Knows nothing of
 * engines; imports nothing of the router.
 */
package dev.prefixrouter.prometheus;
