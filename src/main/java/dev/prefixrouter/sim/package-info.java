/**
 * The engine simulator: an OpenAI-compatible stand-in for vLLM with a paged KV cache, prefix caching, continuous
 * batching and vLLM's metrics, publishing vLLM's KV-cache events over ZMQ (with replay) and tokenizing consistently
 * with them. An engine, not a router: it imports nothing of the router, so it could be its own module.
 */
package dev.prefixrouter.sim;
