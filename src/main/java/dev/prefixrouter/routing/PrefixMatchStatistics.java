package dev.prefixrouter.routing;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.stereotype.Component;

/**
 * How much of each prompt the chosen engine already held, by the prefix index: totals for
 * {@code /actuator/hashtrie}, and {@code router.hashtrie.match.ratio}, a histogram of the matched fraction of each
 * request's prompt.
 */
@Component
public class PrefixMatchStatistics {

    private final LongAdder requests = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder promptChars = new LongAdder();
    private final LongAdder matchedChars = new LongAdder();
    private final DistributionSummary ratio;

    public PrefixMatchStatistics(MeterRegistry registry) {
        this.ratio = DistributionSummary.builder("router.hashtrie.match.ratio")
                .description("Fraction of each request's prompt that the chosen engine holds, by the prefix index")
                .serviceLevelObjectives(0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0)
                .register(registry);
    }

    void record(int prompt, int matched) {
        requests.increment();
        if (matched > 0) {
            hits.increment();
        }
        promptChars.add(prompt);
        matchedChars.add(matched);
        ratio.record(prompt == 0 ? 0 : (double) matched / prompt);
    }

    /** Requests routed by the prefix index. */
    public long requests() {
        return requests.sum();
    }

    /** Requests whose chosen engine held at least one chunk of the prompt. */
    public long hits() {
        return hits.sum();
    }

    /** Matched prompt characters over all prompt characters routed. */
    public double matchedCharRatio() {
        long prompts = promptChars.sum();
        return prompts == 0 ? 0 : (double) matchedChars.sum() / prompts;
    }
}
