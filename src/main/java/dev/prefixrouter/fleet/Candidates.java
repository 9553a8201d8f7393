package dev.prefixrouter.fleet;

import java.util.List;

/**
 * The engines a request for one model may go to.
 *
 * @param healthy     engines in rotation (healthy, not ejected) serving the model, in fleet order
 * @param modelKnown  whether any engine, healthy or not, serves the model
 */
public record Candidates(List<Engine> healthy, boolean modelKnown) {
}
