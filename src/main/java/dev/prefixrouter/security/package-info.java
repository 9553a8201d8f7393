/**
 * Who may use the router: client API keys on the OpenAI surface ({@code ClientKeyFilter}, {@code ClientKeys}, kept
 * current from a mounted file by {@code KeyFileWatcher}) and the token that unlocks the management port's write
 * operations ({@code ManagementWriteGuard}). Keys are held as SHA-256 digests and compared in constant time; no
 * key or token is ever logged, counted or shown, only the names keys are given. Imports only error and config: api
 * may use it, it knows nothing of api, proxy, routing, trie or fleet.
 */
package dev.prefixrouter.security;
