/**
 * Chooses engines: the routing policies, the prefix-aware cost model, and {@code EngineSlots}, the map between
 * engines and the prefix index's slot numbers. Reads fleet and trie; must not import api or proxy.
 */
package dev.prefixrouter.routing;
