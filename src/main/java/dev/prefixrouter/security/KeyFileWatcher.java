package dev.prefixrouter.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import lombok.extern.slf4j.Slf4j;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps {@link ClientKeys} in step with {@code router.client-keys.file}, without a restart.
 *
 * <p>Kubernetes updates a Secret volume by pointing a symlink ({@code ..data}) at a new directory: the file is
 * never modified in place, so watching it (inotify on its inode) would miss the change. Instead the path is read
 * again every {@code reload-interval}, following the links afresh, on the watcher's own thread (plain file I/O,
 * never on an event loop), and its content, not its modification time, decides whether anything changed. New
 * content is put in force at once; content that cannot be read or used leaves the keys before in force, is logged
 * once and counted ({@code router_client_keys_reload_failures_total}). At start-up the file must be readable and
 * valid, or the router does not start.
 *
 * <p>Concurrency: after construction, only the watcher's thread reads the file and touches {@code lastContent}
 * and {@code lastProblem}.
 */
@Slf4j
@Component
class KeyFileWatcher implements SmartLifecycle {

    private final ClientKeys keys;
    private final Path file;
    private final Duration interval;
    private final Counter failures;
    private volatile ScheduledExecutorService executor;
    private byte[] lastContent;
    private String lastProblem;

    KeyFileWatcher(ClientKeys keys, ClientKeysProperties properties, MeterRegistry registry) {
        this.keys = keys;
        this.file = properties.file() == null ? null : Path.of(properties.file());
        this.interval = properties.reloadInterval();
        this.failures = Counter.builder("router.client_keys.reload_failures")
                .description("Times the client key file could not be read or used; the keys before stayed in force")
                .register(registry);
        if (file != null) {
            loadAtStartUp();
        }
    }

    private void loadAtStartUp() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(ClientKeysProperties.PREFIX + "file: cannot read " + file + " ("
                    + describe(e) + ")");
        }
        try {
            keys.useFileKeys(KeyFile.parse(content));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(ClientKeysProperties.PREFIX + "file " + file + ": " + e.getMessage());
        }
        lastContent = digest(content);
        log.info("client keys: {} in force ({}), the key file {} read again every {}", keys.names().size(),
                keys.names(), file, interval);
        if (keys.names().isEmpty()) {
            log.warn("client keys: the key file {} holds no key: every /v1 request will get 401", file);
        }
    }

    @Override
    public void start() {
        if (file == null) {
            return;
        }
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "client-keys-watcher");
            thread.setDaemon(true);
            return thread;
        });
        long period = interval.toNanos();
        watcher.scheduleWithFixedDelay(this::check, period, period, TimeUnit.NANOSECONDS);
        executor = watcher;
    }

    @Override
    public void stop() {
        ScheduledExecutorService watcher = executor;
        if (watcher != null) {
            watcher.shutdownNow();
            executor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    /** One look at the file. Never throws: an exception would cancel every later look. */
    void check() {
        try {
            byte[] content;
            try {
                content = Files.readAllBytes(file);
            } catch (IOException e) {
                lastContent = null;
                problem("cannot be read (" + describe(e) + ")");
                return;
            }
            byte[] digest = digest(content);
            if (MessageDigest.isEqual(digest, lastContent)) {
                return;
            }
            lastContent = digest;
            keys.useFileKeys(KeyFile.parse(content));
            lastProblem = null;
            log.info("client keys: the key file {} changed; {} in force now ({})", file, keys.names().size(),
                    keys.names());
        } catch (IllegalArgumentException e) {
            problem("is not used: " + e.getMessage());
        } catch (RuntimeException e) {
            failures.increment();
            log.error("client keys: checking the key file {} failed; the {} keys before stay in force", file,
                    keys.names().size(), e);
        }
    }

    private void problem(String problem) {
        failures.increment();
        if (!Objects.equals(problem, lastProblem)) {
            lastProblem = problem;
            log.warn("client keys: the key file {} {}; the {} keys before stay in force", file, problem,
                    keys.names().size());
        }
    }

    /** An I/O failure as its type and message (a path, never file content). */
    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
