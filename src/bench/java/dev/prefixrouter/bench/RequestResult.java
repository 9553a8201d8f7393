package dev.prefixrouter.bench;

/**
 * One streamed chat request as the benchmark's client saw it. Times are {@link System#nanoTime()} readings
 * (real time); {@code firstTokenNanos} and {@code lastTokenNanos} are 0 when no token came.
 *
 * @param user            the user's number
 * @param round           the round, from 1
 * @param startNanos      when the user asked (for the oracle: before it probed the engines)
 * @param firstTokenNanos when the first content token arrived
 * @param lastTokenNanos  when the last content token arrived
 * @param endNanos        when the response ended (or failed)
 * @param outputTokens    content tokens received
 * @param promptTokens    the engine's prompt token count (usage chunk), or 0
 * @param cachedTokens    prompt tokens the engine found in its prefix cache (usage chunk), or 0
 * @param answer          the answer text, appended to the user's history
 * @param error           why the request failed, or {@code null}
 */
public record RequestResult(long user, int round, long startNanos, long firstTokenNanos, long lastTokenNanos,
        long endNanos, int outputTokens, int promptTokens, int cachedTokens, String answer, String error) {

    public boolean ok() {
        return error == null;
    }

    static RequestResult failed(long user, int round, long startNanos, String error) {
        return new RequestResult(user, round, startNanos, 0, 0, System.nanoTime(), 0, 0, 0, "", error);
    }
}
