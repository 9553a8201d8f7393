/**
 * Forwards a routed request: walks its ranked engines ({@code ForwardedCall}) and relays the answering engine's
 * response ({@code ResponseRelay}) over pooled Reactor Netty connections. Uses routing only through
 * {@code RoutingDecision}; must not import api or trie.
 */
package dev.prefixrouter.proxy;
