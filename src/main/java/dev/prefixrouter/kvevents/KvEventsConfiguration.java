package dev.prefixrouter.kvevents;

import dev.prefixrouter.fleet.Engine;
import dev.prefixrouter.fleet.Fleet;
import dev.prefixrouter.fleet.FleetListener;
import io.micrometer.core.instrument.MeterRegistry;
import lombok.extern.slf4j.Slf4j;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code router.kv-events.enabled=true}: a subscriber per engine feeding the precise index, a tokenizer, and
 * the {@link PreciseCaches} the {@code precise} routing policy asks. Without it none of this exists, and
 * {@code router.routing.policy=precise} stops start-up with a message saying what to set.
 */
@Slf4j
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(KvEventsProperties.class)
@ConditionalOnBooleanProperty(name = "router.kv-events.enabled")
class KvEventsConfiguration {

    @Bean
    EventApplier kvEventApplier(KvEventsProperties properties, Fleet fleet) {
        EventApplier applier = new EventApplier(new PreciseIndex(properties.maxMemory().toBytes(),
                properties.speculationTtl()), properties.blockSize(), properties.staleAfter());
        fleet.addListener(new FleetListener() {
            @Override
            public void engineRemoved(Engine engine) {
                applier.unregister(engine.id());
            }
        });
        return applier;
    }

    @Bean(destroyMethod = "close")
    KvEventSubscriptions kvEventSubscriptions(KvEventsProperties properties, EventApplier applier, Fleet fleet,
            MeterRegistry registry) {
        KvEventSubscriptions subscriptions = new KvEventSubscriptions(properties, applier, registry);
        fleet.addListener(subscriptions);
        log.info("KV-cache events: subscribing to every engine (template {}), precise index budget {}",
                properties.endpointTemplate(), properties.maxMemory());
        return subscriptions;
    }

    @Bean(destroyMethod = "close")
    EngineTokenizer kvTokenizer(KvEventsProperties properties, MeterRegistry registry) {
        return new EngineTokenizer(properties.tokenizer(), registry);
    }

    @Bean
    PreciseCaches preciseCaches(EventApplier applier, EngineTokenizer tokenizer, KvEventsProperties properties,
            KvEventSubscriptions subscriptions) {
        return new PreciseCaches(applier, tokenizer, properties.blockSize());
    }
}
