/**
 * The OpenAI error format: {@code ApiException} (status, type, code, param, message) and its JSON and SSE
 * renderings, used by both api and proxy. A bottom package: it imports nothing of the router.
 */
package dev.prefixrouter.error;
