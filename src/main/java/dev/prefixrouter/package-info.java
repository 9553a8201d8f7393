/**
 * The application: {@code PrefixRouterApplication} starts the router, or with {@code sim} the engine simulator.
 * Features live in the sub-packages; this package holds no feature of its own.
 */
package dev.prefixrouter;
