/**
 * Forwards a routed request: walks its ranked engines ({@code ForwardedCall}) and relays the answering engine's
 * response ({@code ResponseRelay}) over pooled Reactor Netty connections. Header hygiene lives here too: what is
 * hop-by-hop ({@code HopByHopHeaders}) and the forwarding headers an engine receives ({@code ForwardedHeaders},
 * {@code TrustedProxies}). Uses routing only through {@code RoutingDecision}; must not import api or trie.
 */
package dev.prefixrouter.proxy;
