/**
 * Passive health: ejects engines that fail real requests, with exponential back-off. Imports only the fleet core
 * and config.
 */
package dev.prefixrouter.fleet.ejection;
