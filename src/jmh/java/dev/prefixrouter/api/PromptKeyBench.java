package dev.prefixrouter.api;

import dev.prefixrouter.trie.HashTrie;
import dev.prefixrouter.trie.PromptKey;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A prompt's routing key as the router computes it on the request path: {@code key} hashes the prompt the parse
 * found in the request body's bytes (in place where it is plain ASCII), {@code parse} is the parse alone,
 * {@code keyFromBody} both, and {@code keyFromString} keys the same text held as a String (tests, not requests). {@code text}: {@code ascii} (English-like prompts), {@code mixed} (one
 * non-ASCII character every 100, so most chunks leave the in-place path).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PromptKeyBench {

    @Param({"4", "256"})
    public int promptKiB;

    @Param({"ascii", "mixed"})
    public String text;

    private final OpenAiRequestParser parser = new OpenAiRequestParser();
    private HashTrie trie;
    private byte[] body;
    private String prompt;
    private dev.prefixrouter.trie.PromptText parsed;

    @Setup
    public void setUp() {
        trie = new HashTrie(128, 256L << 20, Long.MAX_VALUE, 7);
        SplittableRandom random = new SplittableRandom(1);
        StringBuilder content = new StringBuilder(promptKiB * 1024);
        while (content.length() < promptKiB * 1024) {
            content.append("abcdefghijklmnopqrstuvwxyz ".charAt(random.nextInt(27)));
            if ("mixed".equals(text) && content.length() % 100 == 0) {
                content.append('é');
            }
        }
        prompt = content.toString();
        body = ("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        parsed = parser.parse(ApiOperation.CHAT_COMPLETIONS, body).prompt();
    }

    /** The routing key of a prompt the parse found in the body: what routing adds to the parse. */
    @Benchmark
    public PromptKey key() {
        return trie.key(parsed);
    }

    @Benchmark
    public ParsedRequest parse() {
        return parser.parse(ApiOperation.CHAT_COMPLETIONS, body);
    }

    @Benchmark
    public PromptKey keyFromBody() {
        return trie.key(parser.parse(ApiOperation.CHAT_COMPLETIONS, body).prompt());
    }

    @Benchmark
    public PromptKey keyFromString() {
        return trie.key(prompt);
    }
}
