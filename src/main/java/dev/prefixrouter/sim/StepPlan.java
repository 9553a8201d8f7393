package dev.prefixrouter.sim;

import java.util.List;

/**
 * What one engine step computes: for each scheduled request, how many of its tokens. Its cost in GPU time
 * depends only on the prefill tokens and the number of decoding sequences.
 *
 * @param work            the scheduled requests, in scheduling order
 * @param prefillTokens   tokens computed for requests that are prefilling (or recomputing after preemption)
 * @param decodeSequences requests that decode one token in this step
 */
record StepPlan(List<Work> work, int prefillTokens, int decodeSequences) {

    static final StepPlan EMPTY = new StepPlan(List.of(), 0, 0);

    StepPlan {
        work = List.copyOf(work);
    }

    boolean isEmpty() {
        return work.isEmpty();
    }

    /** Engine-time seconds this step takes on the GPU. */
    double seconds(KvCacheModelConfig config) {
        return config.stepSeconds(prefillTokens, decodeSequences);
    }

    /**
     * @param request the request
     * @param tokens  how many of its tokens this step computes
     */
    record Work(EngineRequest request, int tokens) {
    }
}
