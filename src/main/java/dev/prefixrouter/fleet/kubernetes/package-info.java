/**
 * Kubernetes discovery: Ready pods matching a label selector become engines, followed live by a fabric8
 * informer. Active only with {@code router.discovery.type=kubernetes}. Imports only the fleet core and config.
 */
package dev.prefixrouter.fleet.kubernetes;
