/**
 * The {@code demo} profile: starts simulated engines inside the router's JVM and adds them to the fleet. The only
 * place where the router and the simulator meet.
 */
package dev.prefixrouter.demo;
