package dev.prefixrouter.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plays the workload: {@code users} slots, each running one user's conversation after another (a finished user is
 * replaced by the next new one) until the run's duration is over. A user pauses before each question, sends its
 * whole history (system prompt, earlier questions and the answers it received) as a streaming chat request, waits
 * for the answer and appends it, as a chat client does. Nothing here blocks: pauses are timers, requests are
 * non-blocking streams; the state of one user is touched by one request at a time.
 */
final class UserDriver {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final BenchParameters parameters;
    private final Workload workload;
    private final ChatTarget target;
    private final long originNanos;
    private final Consumer<RequestResult> results;
    private final AtomicLong nextUser = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    UserDriver(BenchParameters parameters, Workload workload, ChatTarget target, long originNanos,
            Consumer<RequestResult> results) {
        this.parameters = parameters;
        this.workload = workload;
        this.target = target;
        this.originNanos = originNanos;
        this.results = results;
    }

    /** Runs every slot; completes once the duration is over and the last request has ended. */
    Mono<Void> run() {
        SplittableRandom offsets = new SplittableRandom(parameters.seed());
        double spread = parameters.thinkSeconds() * parameters.rounds();
        return Flux.range(0, parameters.users())
                .flatMap(slot -> Mono.delay(parameters.real(offsets.nextDouble() * spread)).then(slot()),
                        parameters.users())
                .then();
    }

    long requestsDone() {
        return done.get();
    }

    long errors() {
        return errors.get();
    }

    int inFlight() {
        return inFlight.get();
    }

    long usersStarted() {
        return nextUser.get();
    }

    /** Engine seconds since the run began. */
    double engineSeconds(long nanos) {
        return (nanos - originNanos) / 1e9 * parameters.timeScale();
    }

    private boolean over() {
        return engineSeconds(System.nanoTime()) >= parameters.durationSeconds();
    }

    private Mono<Void> slot() {
        return Mono.defer(() -> {
            if (over()) {
                return Mono.empty();
            }
            Workload.UserScript user = workload.user(nextUser.getAndIncrement());
            List<Map<String, String>> history = new ArrayList<>();
            history.add(message("system", user.systemPrompt()));
            return round(user, history, 0).then(slot());
        });
    }

    private Mono<Void> round(Workload.UserScript user, List<Map<String, String>> history, int round) {
        if (round == parameters.rounds()) {
            return Mono.empty();
        }
        Duration pause = parameters.real(user.thinkSeconds().get(round));
        return Mono.delay(pause).then(Mono.defer(() -> {
            if (over()) {
                return Mono.empty();
            }
            history.add(message("user", user.questions().get(round)));
            String body = body(history, user.answerTokens().get(round));
            inFlight.incrementAndGet();
            return target.send(user.id(), round + 1, body, System.nanoTime())
                    .doOnNext(result -> {
                        inFlight.decrementAndGet();
                        done.incrementAndGet();
                        if (result.ok()) {
                            history.add(message("assistant", result.answer()));
                        } else {
                            errors.incrementAndGet();
                            history.remove(history.size() - 1); // the user asks the next question instead
                        }
                        results.accept(result);
                    })
                    .then(Mono.defer(() -> round(user, history, round + 1)));
        }));
    }

    private String body(List<Map<String, String>> history, int maxTokens) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", parameters.model());
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        body.put("max_tokens", maxTokens);
        body.put("messages", history);
        return JSON.writeValueAsString(body);
    }

    private static Map<String, String> message(String role, String content) {
        Map<String, String> message = new LinkedHashMap<>();
        message.put("role", role);
        message.put("content", content);
        return message;
    }
}
