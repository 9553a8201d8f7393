package dev.prefixrouter.bench;

import dev.prefixrouter.sim.SimRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The users of the multi-round QA workload, generated deterministically from the seed: user {@code n} is the same
 * in every run, whatever the policy, so policies are compared on identical conversations. A user's system prompt
 * is one of {@code sharedPrompts} shared prompts with probability {@code sharedFraction}, else its own; its
 * length, its questions, its answer lengths and its pauses are drawn from the parameters' ranges.
 */
public final class Workload {

    private static final String[] WORDS = {"account", "policy", "order", "refund", "shipping", "invoice",
            "customer", "product", "warranty", "delivery", "support", "ticket", "payment", "address", "contract",
            "service", "return", "credit", "balance", "schedule", "manual", "device", "setting", "network",
            "report", "answer", "question", "detail", "record", "history", "summary", "context", "always", "never",
            "briefly", "politely", "clearly", "check", "explain", "confirm", "escalate", "describe", "the", "a",
            "of", "to", "and", "in", "for", "with", "when", "if", "is", "are", "be", "on", "by", "this", "that"};

    private final BenchParameters parameters;
    private final List<String> shared = new ArrayList<>();

    public Workload(BenchParameters parameters) {
        this.parameters = parameters;
        for (int i = 0; i < parameters.sharedPrompts(); i++) {
            SplittableRandom random = new SplittableRandom(mix(parameters.seed(), -1 - i));
            shared.add(text(random, "Shared system prompt " + i + ". You are the assistant of department " + i
                    + ".", systemChars(random)));
        }
    }

    /** One user's conversation plan. */
    public record UserScript(long id, boolean sharedPrompt, String systemPrompt, List<String> questions,
            List<Integer> answerTokens, List<Double> thinkSeconds) {
    }

    /** User number {@code index}: the same for a given seed, whatever else happened in the run. */
    public UserScript user(long index) {
        SplittableRandom random = new SplittableRandom(mix(parameters.seed(), index));
        boolean isShared = !shared.isEmpty() && random.nextDouble() < parameters.sharedFraction();
        String system = isShared ? shared.get(random.nextInt(shared.size()))
                : text(random, "System prompt of user " + index + ". You are a helpful assistant.",
                        systemChars(random));
        List<String> questions = new ArrayList<>();
        List<Integer> answers = new ArrayList<>();
        List<Double> pauses = new ArrayList<>();
        for (int round = 0; round < parameters.rounds(); round++) {
            int questionChars = SimRequest.CHARS_PER_TOKEN
                    * between(random, parameters.questionTokensMin(), parameters.questionTokensMax());
            questions.add(text(random, "Question " + (round + 1) + " of user " + index + ":", questionChars));
            answers.add(between(random, parameters.answerTokensMin(), parameters.answerTokensMax()));
            pauses.add(parameters.thinkSeconds() * (0.5 + random.nextDouble()));
        }
        return new UserScript(index, isShared, system, questions, answers, pauses);
    }

    private int systemChars(SplittableRandom random) {
        return SimRequest.CHARS_PER_TOKEN
                * between(random, parameters.systemTokensMin(), parameters.systemTokensMax());
    }

    private static int between(SplittableRandom random, int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    /** {@code head} then random words, exactly {@code chars} characters (at least the head). */
    static String text(SplittableRandom random, String head, int chars) {
        StringBuilder out = new StringBuilder(Math.max(chars, head.length()) + 16).append(head);
        while (out.length() < chars) {
            out.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        }
        out.setLength(Math.max(chars, head.length()));
        return out.toString();
    }

    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
