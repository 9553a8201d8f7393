/**
 * What operators see: the router's meters, the traces of requests (a span per request and per engine attempt,
 * W3C trace context to the engines), the engines' health indicator and the {@code /actuator/backends} and
 * {@code /actuator/hashtrie} views. Reads fleet, routing and trie; the request path uses only the meters it records
 * and the spans it starts.
 */
package dev.prefixrouter.observability;
