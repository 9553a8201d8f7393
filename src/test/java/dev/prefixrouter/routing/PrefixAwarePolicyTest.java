package dev.prefixrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.EngineSpec;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetProperties;
import dev.prefixrouter.fleet.scraping.EngineStatsProperties;
import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.HashTrieConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;

/** The prefix-aware policy on a real index, without HTTP: where requests go and what the index learns. */
class PrefixAwarePolicyTest {

    static final String SYSTEM = "You are a meticulous assistant for the prefix-router project. ".repeat(40);

    /** A router replica: its own registry, index (own random seed) and policy over the same engine ids. */
    static final class Replica {
        final Fleet registry = new Fleet(new FleetProperties(List.of()));
        final HashTrieConfig config = new HashTrieConfig(128, DataSize.ofMegabytes(8), 0.9, 0.8,
                Duration.ofSeconds(1), 1_000_000, 1000);
        final HashTrie trie = new HashTrie(128, config.maxMemory().toBytes(), config.endpointCacheCapacity(),
                System.nanoTime());
        final EngineStatsProperties stats = new EngineStatsProperties(true, Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ofSeconds(10));
        final EngineSlots slots = new EngineSlots(trie, config, stats, registry);
        final PrefixAwarePolicy policy;

        Replica(int engines) {
            this(engines, 1.0);
        }

        Replica(int engines, double queueWeight) {
            this(engines, new RoutingProperties.Prefix(4096, 64, 512, queueWeight, queueWeight), null);
        }

        /** With {@code caches}, the {@code precise} policy over what they report. */
        Replica(int engines, RoutingProperties.Prefix knobs, EngineCaches caches) {
            policy = new PrefixAwarePolicy(trie, slots, new EngineLoad(stats), knobs,
                    new PrefixMatchStatistics(new SimpleMeterRegistry()), caches);
            for (int i = 0; i < engines; i++) {
                registry.add(new EngineSpec("engine-" + i, URI.create("http://10.0.0." + i + ":8000"), List.of("m"),
                        null));
            }
        }

        List<Engine> engines() {
            return registry.engines();
        }

        /** Routes and completes a request on its first choice, as the proxy would; returns that engine. */
        Engine serve(String prompt) {
            RoutingDecision decision = route(prompt, engines());
            Engine chosen = decision.ranked().get(0);
            decision.attempting(chosen);
            decision.responding(chosen);
            decision.finished(chosen);
            return chosen;
        }

        RoutingDecision route(String prompt, List<Engine> candidates) {
            return policy.route(new RoutingRequest("m", prompt, null), candidates);
        }

        int matched(String prompt, Engine engine) {
            return trie.match(trie.key(prompt), new int[] {slots.of(engine).id()})[0];
        }
    }

    @Test
    void samePromptReturnsToTheEngineThatHoldsIt() {
        Replica router = new Replica(4);
        Engine first = router.serve(SYSTEM + "Question one?");
        for (int i = 0; i < 5; i++) {
            assertThat(router.serve(SYSTEM + "Question one?")).isSameAs(first);
        }
        assertThat(router.matched(SYSTEM + "Question one?", first)).isEqualTo(
                (SYSTEM + "Question one?").length() / 128 * 128);
    }

    @Test
    void aConversationKeepsItsEngineAsItGrows() {
        Replica router = new Replica(4);
        StringBuilder history = new StringBuilder(SYSTEM);
        Engine engine = null;
        for (int turn = 0; turn < 6; turn++) {
            history.append("\nUser turn ").append(turn).append(": tell me more about chunk ").append(turn)
                    .append(" and how the index keeps it. ".repeat(3));
            Engine chosen = router.serve(history.toString());
            if (engine == null) {
                engine = chosen;
            }
            assertThat(chosen).as("turn %d", turn).isSameAs(engine);
            history.append("\nAssistant: answer ").append(turn).append(" with some detail. ".repeat(4));
        }
    }

    @Test
    void divergingPromptsShareOnlyTheirCommonFullChunks() {
        Replica router = new Replica(2);
        Engine engine = router.serve(SYSTEM + "Alpha branch of the conversation. ".repeat(10));
        int matched = router.matched(SYSTEM + "Beta branch, quite different. ".repeat(10), engine);
        assertThat(matched).isEqualTo(SYSTEM.length() / 128 * 128);
    }

    @Test
    void matchIsRestrictedToTheCandidates() {
        Replica router = new Replica(3);
        String prompt = SYSTEM + "Where am I cached?";
        Engine holder = router.serve(prompt);
        List<Engine> others = router.engines().stream().filter(e -> e != holder).toList();
        Engine chosen = router.route(prompt, others).ranked().get(0);
        assertThat(others).contains(chosen);
    }

    @Test
    void replicasAgreeOnWhereANewPrefixGoesWithoutSharingState() {
        Replica one = new Replica(8);
        Replica two = new Replica(8);
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            String prompt = "Conversation " + i + ": " + SYSTEM;
            String fromOne = one.route(prompt, one.engines()).ranked().get(0).id();
            String fromTwo = two.route(prompt, two.engines()).ranked().get(0).id();
            assertThat(fromOne).as("prompt %d", i).isEqualTo(fromTwo);
            used.add(fromOne);
        }
        assertThat(used).as("new prefixes spread over the fleet").hasSizeGreaterThan(4);
    }

    @Test
    void aConversationTheIndexForgotReturnsToItsEngineDespiteSomeQueueThere() {
        Replica router = new Replica(4);
        String conversation = "Conversation 7: " + SYSTEM;
        Engine home = router.serve(conversation);
        router.trie.clear(); // as a bounded index evicts an idle conversation's whole path
        // Another request is prefilling at home: most of this prompt's length, still less than recomputing it.
        queuePrefill(router, home, conversation.length() * 3 / 4);

        assertThat(router.route(conversation + " Next question?", router.engines()).ranked().get(0)).isSameAs(home);
    }

    @Test
    void aConversationWhoseTailTheIndexEvictedReturnsToItsEngineDespiteSomeQueueThere() {
        Replica router = new Replica(4);
        String conversation = "Conversation 7: " + SYSTEM;
        // Only the first two chunks are still indexed, as after the index evicted the conversation's tail.
        Engine home = router.serve(conversation.substring(0, 256));
        queuePrefill(router, home, conversation.length() / 4);

        assertThat(router.route(conversation + " Next question?", router.engines()).ranked().get(0)).isSameAs(home);
    }

    @Test
    void aConversationTheIndexForgotGoesElsewhereWhenItsEngineIsQueuedLongerThanRecomputingIt() {
        Replica router = new Replica(4);
        String conversation = "Conversation 7: " + SYSTEM;
        Engine home = router.serve(conversation);
        router.trie.clear();
        queuePrefill(router, home, 2 * conversation.length());

        assertThat(router.route(conversation + " Next question?", router.engines()).ranked().get(0))
                .isNotSameAs(home);
    }

    @Test
    void aNewPromptGoesToTheLeastQueuedEngineUntilTheIndexHasForgottenSomething() {
        Replica router = new Replica(4);
        String prompt = "Conversation 9: " + SYSTEM;
        Engine rendezvous = router.route(prompt, router.engines()).ranked().get(0);
        queuePrefill(router, rendezvous, prompt.length() / 4);
        assertThat(router.trie.mayHaveForgotten()).isFalse();
        assertThat(router.route(prompt, router.engines()).ranked().get(0))
                .as("nothing forgotten: a prompt that matches nothing is new everywhere, so load decides")
                .isNotSameAs(rendezvous);

        router.trie.clear();
        assertThat(router.trie.mayHaveForgotten()).isTrue();
        assertThat(router.route(prompt, router.engines()).ranked().get(0))
                .as("after a clear, the rendezvous engine may still hold it: a short queue does not move it")
                .isSameAs(rendezvous);
    }

    @Test
    void aLowerQueueWeightKeepsARequestWithItsPrefixThroughALongerQueue() {
        String prompt = "Conversation 3: " + SYSTEM;
        for (double weight : new double[] {1.0, 0.5}) {
            Replica router = new Replica(4, weight);
            Engine holder = router.serve(prompt);
            queuePrefill(router, holder, prompt.length() * 3 / 2);
            Engine chosen = router.route(prompt + " Follow-up?", router.engines()).ranked().get(0);
            if (weight == 1.0) {
                assertThat(chosen).as("queue longer than recomputing: weight 1 moves it").isNotSameAs(holder);
            } else {
                assertThat(chosen).as("the same queue at weight 0.5 counts less than recomputing").isSameAs(holder);
            }
        }
    }

    /** Engines' own reports, as the precise policy reads them: held prompt characters per engine, absent = stale. */
    static final class ReportedCaches implements EngineCaches {
        final Map<Engine, Integer> heldChars = new HashMap<>();
        /** Characters an engine is credited with once a request is sent there (as speculation does); -1: none. */
        int creditOnSend = -1;

        @Override
        public Mono<PromptTokens> tokens(RoutingRequest request, List<Engine> candidates) {
            return Mono.just(PromptTokens.whole(new int[] {1}));
        }

        @Override
        public Holdings holdings(RoutingRequest request, List<Engine> candidates) {
            return new Holdings() {
                @Override
                public int heldChars(int i) {
                    return heldChars.getOrDefault(candidates.get(i), -1);
                }

                @Override
                public void sent(int i) {
                    if (creditOnSend >= 0) {
                        heldChars.put(candidates.get(i), creditOnSend);
                    }
                }
            };
        }
    }

    @Test
    void aReportedHitIsWorthALongerWaitWhileNoEngineIsIdle() {
        String prompt = "Conversation 5: " + SYSTEM;
        ReportedCaches caches = new ReportedCaches();
        Replica router = new Replica(5, new RoutingProperties.Prefix(4096, 64, 512, 0.5, 0.25), caches);
        Engine holder = router.serve(prompt);
        Engine idle = router.engines().get(router.engines().get(4) == holder ? 3 : 4);
        List<Engine> busy = router.engines().stream().filter(e -> e != idle).toList();
        queuePrefill(router, holder, prompt.length() * 3);
        busy.stream().filter(e -> e != holder).forEach(e -> queuePrefill(router, e, 200));
        router.engines().forEach(engine -> caches.heldChars.put(engine, engine == holder ? prompt.length() : 0));
        RoutingRequest request = new RoutingRequest("m", prompt, null).withTokens(new int[] {1});

        assertThat(router.policy.route(request, busy).ranked().get(0))
                .as("all report, none idle: the queue counts at 0.25, less than recomputing").isSameAs(holder);
        assertThat(router.policy.route(request, router.engines()).ranked().get(0))
                .as("an idle engine recomputes it without delaying anyone: the queue counts at 0.5")
                .isSameAs(idle);

        caches.heldChars.remove(busy.stream().filter(e -> e != holder).findFirst().orElseThrow());
        assertThat(router.policy.route(request, busy).ranked().get(0))
                .as("one engine's reports are stale: its holdings are a guess, the queue counts at 0.5")
                .isNotSameAs(holder);
    }

    @Test
    void aHotSharedPrefixStillSpreadsWhenEveryEngineReportsItsCache() {
        ReportedCaches caches = new ReportedCaches();
        caches.creditOnSend = SYSTEM.length();
        Replica router = new Replica(4, new RoutingProperties.Prefix(4096, 64, 512, 0.5, 0.25), caches);
        router.engines().forEach(engine -> caches.heldChars.put(engine, 0));
        Map<Engine, Integer> routed = new HashMap<>();
        for (int user = 0; user < 60; user++) {
            RoutingRequest request = new RoutingRequest("m", SYSTEM + "user " + user + " asks something", null)
                    .withTokens(new int[] {1});
            RoutingDecision decision = router.policy.route(request, router.engines());
            Engine chosen = decision.ranked().get(0);
            chosen.requestStarted();
            decision.attempting(chosen);
            routed.merge(chosen, 1, Integer::sum);
        }
        // While other engines sit idle the queue counts at 0.5, so the holder shares the prompt as prefix-aware
        // does; at 0.25 throughout, all sixty would have queued on it.
        assertThat(routed).as("others take copies of the prompt").hasSizeGreaterThan(1);
        assertThat(routed.values().stream().mapToInt(Integer::intValue).max().orElseThrow())
                .as("no engine takes everything").isLessThan(45);
    }

    @Test
    void queueWeightMustBePositive() {
        assertThatThrownBy(() -> new RoutingProperties.Prefix(4096, 64, 512, 0, 0.5))
                .hasMessageContaining("router.routing.prefix.queue-weight");
        assertThatThrownBy(() -> new RoutingProperties.Prefix(4096, 64, 512, 0.5, 0))
                .hasMessageContaining("router.routing.prefix.reported-queue-weight");
    }

    /** A request of {@code chars} new characters sent to {@code engine} whose first byte has not come back. */
    private static void queuePrefill(Replica router, Engine engine, int chars) {
        String other = ("Unrelated prompt " + System.nanoTime() + " ").repeat(chars / 20 + 1).substring(0, chars);
        RoutingDecision decision = router.route(other, List.of(engine));
        engine.requestStarted();
        decision.attempting(engine);
    }

    @Test
    void hotSharedPrefixSpreadsOnceQueueingOnItsEngineCostsMoreThanRecomputing() {
        Replica router = new Replica(4);
        Engine holder = router.serve(SYSTEM + "warm-up");
        // Users arrive at once with the same system prompt and stay in flight (as the proxy counts them); each
        // adds its uncached tail to the holder's queued prefill and its share of the holder's batch.
        java.util.Map<Engine, Integer> routed = new java.util.HashMap<>();
        for (int user = 0; user < 60; user++) {
            RoutingDecision decision = router.route(SYSTEM + "user " + user + " asks something", router.engines());
            Engine chosen = decision.ranked().get(0);
            chosen.requestStarted();
            decision.attempting(chosen);
            routed.merge(chosen, 1, Integer::sum);
        }
        assertThat(routed).as("the holder keeps the prefix while that is cheaper").containsKey(holder);
        assertThat(routed.get(holder)).isGreaterThanOrEqualTo(15);
        assertThat(routed).as("then others take copies of it").hasSizeGreaterThan(1);
        assertThat(routed.values().stream().mapToInt(Integer::intValue).max().orElseThrow())
                .as("no engine takes everything").isLessThan(60);
    }

    @Test
    void aConnectFailureRetriedElsewhereCreditsOnlyTheEngineThatServed() {
        Replica router = new Replica(3);
        String prompt = SYSTEM + "retried request";
        RoutingDecision decision = router.route(prompt, router.engines());
        Engine failed = decision.ranked().get(0);
        Engine served = decision.ranked().get(1);
        decision.attempting(failed);
        decision.attemptFailed(failed);
        decision.attempting(served);
        decision.finished(failed);
        decision.responding(served);
        decision.finished(served);
        assertThat(router.matched(prompt, failed)).isZero();
        assertThat(router.matched(prompt, served)).isPositive();
        assertThat(router.slots.of(failed).prefillChars()).hasValue(0);
        assertThat(router.slots.of(served).prefillChars()).hasValue(0);
    }

    @Test
    void anEngineThatLeavesIsForgotten() {
        Replica router = new Replica(2);
        Engine holder = router.serve(SYSTEM + "soon gone");
        int slot = router.slots.of(holder).id();
        router.registry.remove(holder.id());
        while (router.trie.maintain(1000) > 0) {
            Thread.onSpinWait();
        }
        assertThat(router.trie.stats().slots()).noneMatch(s -> s.slot() == slot);
        assertThat(router.trie.stats().attributions()).isZero();
        Engine other = router.engines().get(0);
        assertThat(router.serve(SYSTEM + "soon gone")).isSameAs(other);
    }

    @Test
    void worksForFleetsBeyondSixtyFourEngines() {
        Replica router = new Replica(150);
        for (int i = 0; i < 60; i++) {
            String prompt = "Tenant " + i + " " + SYSTEM;
            Engine engine = router.serve(prompt);
            assertThat(router.serve(prompt + " follow-up")).isSameAs(engine);
        }
        long highSlots = router.trie.stats().slots().stream().filter(s -> s.slot() >= 64 && s.attributedChars() > 0)
                .count();
        assertThat(highSlots).as("engines with slots past 64 hold prefixes").isPositive();
    }
}
