/**
 * The OpenAI-compatible HTTP surface: reads a request once, parses what routing needs, asks the policy, hands the
 * request to the proxy, and renders every error as an OpenAI body. The top of the request path: it may use proxy,
 * routing and fleet; nothing imports it.
 */
package dev.prefixrouter.api;
