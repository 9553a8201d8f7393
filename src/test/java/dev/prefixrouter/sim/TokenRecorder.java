package dev.prefixrouter.sim;

import java.util.ArrayList;
import java.util.List;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** Subscribes to a manual-mode generation and keeps what arrives; tokens arrive on the stepping thread. */
final class TokenRecorder {

    final String name;
    final List<TokenEvent> events = new ArrayList<>();
    Throwable error;
    boolean completed;
    private final Disposable subscription;

    /** @param journal a log shared by several recorders, to which "name:index" and "name:done" are appended */
    TokenRecorder(String name, Flux<TokenEvent> tokens, List<String> journal) {
        this.name = name;
        this.subscription = tokens.subscribe(
                event -> {
                    events.add(event);
                    journal.add(name + ":" + event.index());
                },
                failure -> error = failure,
                () -> {
                    completed = true;
                    journal.add(name + ":done");
                });
    }

    TokenRecorder(String name, Flux<TokenEvent> tokens) {
        this(name, tokens, new ArrayList<>());
    }

    void cancel() {
        subscription.dispose();
    }

    int cachedPromptTokens() {
        return events.get(0).cachedPromptTokens();
    }
}
