/**
 * The prefix index ("HashTrie"): chained chunk hashes to engine slots, inside an exact memory budget, with its
 * memory watcher. Engines are small ints here; it must not import fleet, routing, api, proxy or any HTTP type.
 */
package dev.prefixrouter.trie;
