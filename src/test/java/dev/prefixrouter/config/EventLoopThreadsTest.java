package dev.prefixrouter.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventLoopThreadsTest {

    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(EventLoopThreads.PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(EventLoopThreads.PROPERTY);
        } else {
            System.setProperty(EventLoopThreads.PROPERTY, saved);
        }
    }

    @Test
    void oneLoopPerCoreWhenTheOperatorChoseNothing() {
        System.clearProperty(EventLoopThreads.PROPERTY);
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(EventLoopThreads.defaultToOnePerCore()).isEqualTo(cores);
        assertThat(System.getProperty(EventLoopThreads.PROPERTY)).isEqualTo(Integer.toString(cores));
    }

    @Test
    void theOperatorsChoiceStands() {
        System.setProperty(EventLoopThreads.PROPERTY, "7");
        assertThat(EventLoopThreads.defaultToOnePerCore()).isEqualTo(7);
        assertThat(System.getProperty(EventLoopThreads.PROPERTY)).isEqualTo("7");
    }
}
