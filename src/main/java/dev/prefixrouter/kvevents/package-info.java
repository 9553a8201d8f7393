/**
 * Precise prefix routing from the engines' own KV-cache events: subscribing to each engine's ZMQ stream, decoding
 * vLLM's msgpack batches, and an index of the blocks each engine reports holding, keyed by the router's own hash of
 * their token ids. Reads fleet and routing; nothing below it imports it.
 */
package dev.prefixrouter.kvevents;
