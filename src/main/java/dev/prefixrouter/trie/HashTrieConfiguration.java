package dev.prefixrouter.trie;

import java.security.SecureRandom;
import lombok.extern.slf4j.Slf4j;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The application's prefix index, sized by {@link HashTrieConfig}. */
@Slf4j
@Configuration(proxyBeanMethods = false)
class HashTrieConfiguration {

    /** Seeded at random per process, so prompts crafted to collide with another's prefix cannot be precomputed. */
    @Bean
    HashTrie hashTrie(HashTrieConfig config) {
        HashTrie trie = new HashTrie(config.chunkSize(), config.maxMemory().toBytes(), config.endpointCacheCapacity(),
                new SecureRandom().nextLong());
        log.info("prefix index: chunks of {} characters, budget {} bytes ({} bytes per node, {} per attribution)",
                config.chunkSize(), config.maxMemory().toBytes(), HashTrie.NODE_BYTES, HashTrie.ATTRIBUTION_BYTES);
        return trie;
    }
}
