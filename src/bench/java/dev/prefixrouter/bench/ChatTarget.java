package dev.prefixrouter.bench;

import java.util.List;
import reactor.core.publisher.Mono;

/** Where the benchmark's users send their chat requests: a router, or the oracle's choice of engine. */
interface ChatTarget {

    /** Streams one chat request (a complete JSON body) and reports it; never fails. */
    Mono<RequestResult> send(long user, int round, String body, long startNanos);

    /** Through a router: every request to its API, with the user as session key ({@code x-session-id}). */
    static ChatTarget router(ChatClient client, String apiUrl) {
        return routers(client, List.of(apiUrl));
    }

    /**
     * Through router replicas: each request to one of them, chosen by a hash of the user and the round, so a
     * user's rounds spread over the replicas as a load balancer spreads connections, the same way in every run.
     */
    static ChatTarget routers(ChatClient client, List<String> apiUrls) {
        List<String> urls = apiUrls.stream().map(api -> api + "/v1/chat/completions").toList();
        return (user, round, body, startNanos) -> {
            String url = urls.get(urls.size() == 1 ? 0 : Math.floorMod(mix(user * 1_000_003L + round), urls.size()));
            return client.stream(url, "user-" + user, body, user, round, startNanos);
        };
    }

    /** SplitMix64's finaliser: consecutive rounds land on replicas independently. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
