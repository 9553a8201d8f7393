/**
 * Admission: what a request may hold of the router. The request-memory budget ({@code AdmissionControl}: bytes
 * held by admitted requests, a bounded FIFO wait, 503 with {@code Retry-After} beyond), its actuator view, and the
 * timeouts that bound slow clients. Imports only error and config; api and proxy use it.
 */
package dev.prefixrouter.admission;
