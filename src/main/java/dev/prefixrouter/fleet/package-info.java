/**
 * The engines the router knows: {@code Engine} (identity and live state), {@code Fleet} (membership and the
 * candidates for a model) and its listeners. Its sub-packages keep it current (health, ejection, scraping,
 * kubernetes); it must not import routing, trie, proxy or api.
 */
package dev.prefixrouter.fleet;
