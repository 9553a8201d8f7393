package dev.prefixrouter.routing;

/**
 * What a routing policy knows about a request.
 *
 * @param model      the requested model
 * @param prompt     the prompt text routing keys on (see {@code ParsedRequest#prompt})
 * @param sessionKey the session header's value, else the body's {@code user}, else {@code null}
 */
public record RoutingRequest(String model, String prompt, String sessionKey) {
}
