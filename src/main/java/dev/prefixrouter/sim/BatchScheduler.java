package dev.prefixrouter.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Continuous batching as vLLM v1's scheduler does it, first come first served.
 *
 * <p>Each step has a token budget ({@code maxNumBatchedTokens}). Running requests are served first, oldest
 * first: a decode takes one token of budget, a prefill the rest of its prompt or whatever budget is left
 * (chunked prefill). A request whose next tokens need a block when none is free preempts the newest running
 * request (which loses its blocks and goes back to the head of the queue to be recomputed), and again, until the
 * block is found or it has preempted itself. If nothing was preempted, waiting requests are admitted in arrival
 * order while there is budget, fewer than {@code maxNumSeqs} run, and blocks suffice; the first that does not
 * fit stops admission, so nothing overtakes it. On admission the longest run of leading full blocks already in
 * the cache is a hit: those blocks gain a reference and need no prefill; vLLM always recomputes at least the
 * last token, since its logits give the first output token, so a prompt that is entirely cached still has its
 * last block computed.
 *
 * <p>Blocks are allocated when work is scheduled, and a block is published to the prefix cache as soon as the
 * step that fills it is scheduled, as vLLM does. Not thread-safe: owned by the engine's step thread.
 */
final class BatchScheduler {

    private final KvCacheModelConfig config;
    private final BlockPool pool;
    private final EngineMetrics metrics;
    private final KvEventLog events;
    private final int blockSize;
    private final ArrayDeque<EngineRequest> waiting = new ArrayDeque<>();
    private final List<EngineRequest> running = new ArrayList<>();

    BatchScheduler(KvCacheModelConfig config, BlockPool pool, EngineMetrics metrics, KvEventLog events) {
        this.config = config;
        this.pool = pool;
        this.metrics = metrics;
        this.events = events;
        this.blockSize = config.blockSize();
    }

    int numRunning() {
        return running.size();
    }

    int numWaiting() {
        return waiting.size();
    }

    boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    void add(EngineRequest request) {
        request.status = EngineRequest.Status.WAITING;
        waiting.addLast(request);
    }

    StepPlan schedule(double now) {
        Batch batch = new Batch(config.maxNumBatchedTokens());
        boolean preempted = scheduleRunning(batch);
        if (!preempted) {
            admitWaiting(batch, now);
        }
        return batch.toPlan();
    }

    /** Serves running requests oldest first; returns true if any request was preempted. */
    private boolean scheduleRunning(Batch batch) {
        boolean preempted = false;
        int i = 0;
        while (i < running.size() && batch.budget > 0) {
            EngineRequest request = running.get(i);
            boolean decoding = request.isDecoding();
            int tokens = Math.min(request.tokensToCompute(), batch.budget);
            boolean fits = allocateSlots(request, tokens);
            while (!fits && running.get(running.size() - 1) != request) {
                preempt(running.remove(running.size() - 1));
                preempted = true;
                fits = allocateSlots(request, tokens);
            }
            if (!fits) {
                preempt(running.remove(running.size() - 1)); // the request itself, which was the newest left
                return true;
            }
            batch.add(request, tokens, decoding);
            i++;
        }
        return preempted;
    }

    /** Admits waiting requests in arrival order until one does not fit. */
    private void admitWaiting(Batch batch, double now) {
        while (!waiting.isEmpty() && batch.budget > 0 && running.size() < config.maxNumSeqs()) {
            EngineRequest request = waiting.peekFirst();
            int tokens = admit(request, batch.budget);
            if (tokens < 0) {
                return;
            }
            waiting.pollFirst();
            request.status = EngineRequest.Status.RUNNING;
            if (Double.isNaN(request.firstScheduledTime)) {
                request.firstScheduledTime = now;
            }
            running.add(request);
            batch.add(request, tokens, false);
        }
    }

    /** Removes a request that has generated all its tokens and releases its blocks to the cache. */
    void finish(EngineRequest request) {
        running.remove(request);
        release(request);
        request.status = EngineRequest.Status.FINISHED;
    }

    /** Removes a request wherever it is (the client went away) and releases its blocks. */
    void abort(EngineRequest request) {
        switch (request.status) {
            case WAITING -> waiting.remove(request);
            case RUNNING -> {
                running.remove(request);
                release(request);
            }
            case FINISHED, ABORTED -> {
                return;
            }
        }
        request.status = EngineRequest.Status.ABORTED;
    }

    /** Aborts every request and returns them, running first; for shutdown. */
    List<EngineRequest> abortAll() {
        List<EngineRequest> all = new ArrayList<>(running);
        all.addAll(waiting);
        all.forEach(this::abort);
        return all;
    }

    /**
     * Admits a waiting request: takes its cached prefix and allocates blocks for the tokens it can compute
     * within {@code budget}. Returns how many tokens it computes this step, or -1 (nothing changed) if the
     * blocks are not there.
     */
    private int admit(EngineRequest request, int budget) {
        int sequence = request.sequenceLength();
        int maxHitBlocks = Math.min(request.blockHashes.length, (sequence - 1) / blockSize);
        int hitBlocks = 0;
        int heldElsewhere = 0;
        while (hitBlocks < maxHitBlocks) {
            int block = pool.cachedBlock(request.blockHashes[hitBlocks]);
            if (block < 0) {
                break;
            }
            heldElsewhere += pool.isHeld(block) ? 1 : 0;
            hitBlocks++;
        }
        int hitTokens = hitBlocks * blockSize;
        int tokens = Math.min(sequence - hitTokens, budget);
        int newBlocks = blocksFor(hitTokens + tokens) - hitBlocks;
        int evictableHits = hitBlocks - heldElsewhere; // these leave the free queue too
        if (newBlocks + evictableHits > pool.numFree()) {
            return -1;
        }
        for (int b = 0; b < hitBlocks; b++) {
            int block = pool.cachedBlock(request.blockHashes[b]);
            pool.touch(block);
            request.addBlock(block);
        }
        request.numHashedBlocks = hitBlocks;
        request.computedTokens = hitTokens;
        for (int b = 0; b < newBlocks; b++) {
            request.addBlock(pool.allocate());
        }
        publishFullBlocks(request, hitTokens + tokens);
        if (request.cachedPromptTokens < 0) {
            // As vLLM, only a request's first admission counts; recomputation after preemption does not.
            request.cachedPromptTokens = hitTokens;
            metrics.prefixCacheQueried(sequence, hitTokens);
        }
        return tokens;
    }

    /** Makes sure a running request holds blocks for its next {@code tokens}; false if there are not enough. */
    private boolean allocateSlots(EngineRequest request, int tokens) {
        int needed = blocksFor(request.computedTokens + tokens) - request.numBlocks();
        if (needed > pool.numFree()) {
            return false;
        }
        for (int b = 0; b < needed; b++) {
            request.addBlock(pool.allocate());
        }
        publishFullBlocks(request, request.computedTokens + tokens);
        return true;
    }

    /**
     * Publishes the request's newly full prompt blocks to the cache and reports each run of blocks that became
     * cache entries as one {@code BlockStored} (a block another request already cached breaks the run).
     */
    private void publishFullBlocks(EngineRequest request, int computedAfterStep) {
        int full = Math.min(request.blockHashes.length, computedAfterStep / blockSize);
        int runStart = -1;
        for (int b = request.numHashedBlocks; b < full; b++) {
            if (pool.cache(request.block(b), request.blockHashes[b])) {
                runStart = runStart < 0 ? b : runStart;
            } else if (runStart >= 0) {
                events.stored(request.prompt, request.blockHashes, runStart, b);
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            events.stored(request.prompt, request.blockHashes, runStart, full);
        }
        request.numHashedBlocks = Math.max(request.numHashedBlocks, full);
    }

    private void preempt(EngineRequest victim) {
        release(victim);
        victim.status = EngineRequest.Status.WAITING;
        victim.numPreemptions++;
        metrics.preempted();
        waiting.addFirst(victim);
    }

    private void release(EngineRequest request) {
        pool.release(request.blockArray(), request.numBlocks());
        request.dropBlocks();
    }

    /**
     * Checks that at most {@code maxNumSeqs} run, that running requests hold blocks for what they computed and
     * waiting ones hold none, and that the requests account for every reference in the pool; for tests.
     */
    void checkInvariants() {
        if (running.size() > config.maxNumSeqs()) {
            throw new IllegalStateException(running.size() + " running, more than maxNumSeqs");
        }
        long references = 0;
        for (EngineRequest request : running) {
            if (request.status != EngineRequest.Status.RUNNING
                    || (long) request.numBlocks() * blockSize < request.computedTokens) {
                throw new IllegalStateException("running request in a bad state: " + request.status + ", "
                        + request.numBlocks() + " blocks for " + request.computedTokens + " tokens");
            }
            for (int b = 0; b < request.numBlocks(); b++) {
                if (!pool.isHeld(request.block(b))) {
                    throw new IllegalStateException("a running request's block " + request.block(b) + " is free");
                }
            }
            references += request.numBlocks();
        }
        for (EngineRequest request : waiting) {
            if (request.status != EngineRequest.Status.WAITING || request.numBlocks() != 0) {
                throw new IllegalStateException("waiting request holds " + request.numBlocks() + " blocks");
            }
        }
        if (references != pool.totalReferences()) {
            throw new IllegalStateException("requests hold " + references + " references, the pool counts "
                    + pool.totalReferences());
        }
    }

    private int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    /** The step being put together: its work and the budget left. */
    private static final class Batch {

        final List<StepPlan.Work> work = new ArrayList<>();
        int budget;
        int prefillTokens;
        int decodeSequences;

        Batch(int budget) {
            this.budget = budget;
        }

        void add(EngineRequest request, int tokens, boolean decoding) {
            work.add(new StepPlan.Work(request, tokens));
            budget -= tokens;
            if (decoding) {
                decodeSequences++;
            } else {
                prefillTokens += tokens;
            }
        }

        StepPlan toPlan() {
            return work.isEmpty() ? StepPlan.EMPTY : new StepPlan(work, prefillTokens, decodeSequences);
        }
    }
}
