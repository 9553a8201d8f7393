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
 * {@code keyFromBody} both, and {@code keyFromString} keys the same text held as a String (tests, not requests).
 * {@code promptKiB} is the prompt's length in KiB of characters (UTF-16 units), whatever their UTF-8 length.
 * {@code text}: {@code ascii} (English-like prompts), {@code mixed} (one {@code é} after every 100 characters),
 * {@code cjk} (CJK ideographs, three UTF-8 bytes each, with an ASCII space or digit in about one of ten places),
 * {@code emoji} (English-like with an emoji, a surrogate pair, at every multiple of 51 characters: an odd
 * spacing, so that one chunk boundary in 51 splits a pair).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PromptKeyBench {

    @Param({"4", "256"})
    public int promptKiB;

    @Param({"ascii", "mixed", "cjk", "emoji"})
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
            if ("cjk".equals(text)) {
                content.append(random.nextInt(10) == 0 ? " 0123456789".charAt(random.nextInt(11))
                        : (char) random.nextInt(0x4E00, 0xA000));
                continue;
            }
            content.append("abcdefghijklmnopqrstuvwxyz ".charAt(random.nextInt(27)));
            if ("mixed".equals(text) && content.length() % 100 == 0) {
                content.append('é');
            } else if ("emoji".equals(text) && content.length() % 51 == 0) {
                content.appendCodePoint(random.nextInt(0x1F600, 0x1F650));
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
