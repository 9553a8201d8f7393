/**
 * What an engine's metrics say, in terms common to vLLM and SGLang ({@code EngineStats}): load, KV-cache usage and
 * capacity, prefix-cache hit rate. Pure values read from parsed samples; no I/O. Imports only prometheus.
 */
package dev.prefixrouter.fleet.stats;
