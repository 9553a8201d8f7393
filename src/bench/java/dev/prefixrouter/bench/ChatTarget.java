package dev.prefixrouter.bench;

import reactor.core.publisher.Mono;

/** Where the benchmark's users send their chat requests: a router, or the oracle's choice of engine. */
interface ChatTarget {

    /** Streams one chat request (a complete JSON body) and reports it; never fails. */
    Mono<RequestResult> send(long user, int round, String body, long startNanos);

    /** Through a router: every request to its API, with the user as session key ({@code x-session-id}). */
    static ChatTarget router(ChatClient client, String apiUrl) {
        String url = apiUrl + "/v1/chat/completions";
        return (user, round, body, startNanos) -> client.stream(url, "user-" + user, body, user, round, startNanos);
    }
}
