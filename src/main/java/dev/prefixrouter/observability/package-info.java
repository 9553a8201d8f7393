/**
 * What operators see: the router's meters, the engines' health indicator and the {@code /actuator/backends} and
 * {@code /actuator/hashtrie} views. Reads fleet, routing and trie; nothing on the request path depends on it but the
 * meters it records.
 */
package dev.prefixrouter.observability;
