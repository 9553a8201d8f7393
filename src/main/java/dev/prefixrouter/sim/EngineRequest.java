package dev.prefixrouter.sim;

import java.util.Arrays;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * One generation request inside the engine: its progress, the blocks it holds, its timestamps, and the sink its
 * subscriber reads tokens from.
 *
 * <p>Progress follows vLLM's accounting: the sequence is the prompt plus the tokens generated so far; a step
 * computes KV for some of the sequence's not-yet-computed tokens (a prefill chunk, or the one token sampled
 * last step), and when the whole sequence has been computed the step samples one new token. A preempted request
 * loses its blocks and recomputes its whole sequence later, minus whatever prefix is still cached.
 *
 * <p>Everything but the constructor runs on the engine's step thread. The sink buffers without bound, which is
 * at most {@code maxTokens} tiny events, so emitting never waits for the subscriber's demand.
 */
final class EngineRequest {

    enum Status { WAITING, RUNNING, FINISHED, ABORTED }

    final int promptTokens;
    final int maxTokens;
    /** The prompt text, for the token ids of the blocks it stores (only read when events are published). */
    final String prompt;
    /** Chained hashes of the prompt's full blocks. */
    final long[] blockHashes;
    /** Engine time the request arrived, in seconds. */
    final double arrivalTime;

    private final Sinks.Many<TokenEvent> sink = Sinks.many().unicast().onBackpressureBuffer();

    Status status = Status.WAITING;
    int computedTokens;
    int generatedTokens;
    int numHashedBlocks;
    int numPreemptions;
    /** Prompt tokens served from the prefix cache at first admission; -1 until then. */
    int cachedPromptTokens = -1;
    double firstScheduledTime = Double.NaN;
    double lastTokenTime = Double.NaN;

    private int[] blocks = new int[4];
    private int numBlocks;

    EngineRequest(SimRequest request, int blockSize, double arrivalTime) {
        this.promptTokens = request.promptTokens();
        this.maxTokens = request.maxTokens();
        this.prompt = request.prompt();
        this.blockHashes = BlockHasher.fullBlockHashes(request.prompt(), blockSize);
        this.arrivalTime = arrivalTime;
    }

    /** Prompt plus generated tokens: what must be computed before the next token can be sampled. */
    int sequenceLength() {
        return promptTokens + generatedTokens;
    }

    int tokensToCompute() {
        return sequenceLength() - computedTokens;
    }

    /** True when only the last sampled token is left to compute: a decode step, not a prefill. */
    boolean isDecoding() {
        return generatedTokens > 0 && tokensToCompute() == 1;
    }

    int numBlocks() {
        return numBlocks;
    }

    int block(int index) {
        return blocks[index];
    }

    /** The backing array of held blocks; only the first {@link #numBlocks()} entries are meaningful. */
    int[] blockArray() {
        return blocks;
    }

    void addBlock(int block) {
        if (numBlocks == blocks.length) {
            blocks = Arrays.copyOf(blocks, numBlocks * 2);
        }
        blocks[numBlocks++] = block;
    }

    /** Forgets the held blocks after they were released to the pool; the KV must be recomputed. */
    void dropBlocks() {
        numBlocks = 0;
        numHashedBlocks = 0;
        computedTokens = 0;
    }

    Flux<TokenEvent> events() {
        return sink.asFlux();
    }

    void emit(TokenEvent event) {
        // Anything but OK means the subscriber has cancelled; its abort is already on the way to the step thread.
        sink.tryEmitNext(event);
    }

    void complete() {
        sink.tryEmitComplete();
    }

    void fail(Throwable error) {
        sink.tryEmitError(error);
    }
}
