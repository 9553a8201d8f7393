/**
 * Active health checks: probes each engine's {@code /health} and learns its {@code /v1/models}; finds engines that
 * hold requests and give nothing back (stalls). Imports only the
 * fleet core and config.
 */
package dev.prefixrouter.fleet.health;
