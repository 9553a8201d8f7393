package dev.prefixrouter.kvevents;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link EventSink} that writes down every call as a short line ({@code batch e 3}, {@code forget e},
 * {@code live e true}), a batch named by its {@code ts}, which the tests set to its sequence number.
 */
class RecordingSink implements EventSink {

    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<EventBatch> batches = new CopyOnWriteArrayList<>();

    @Override
    public void batch(String engineId, EventBatch batch) {
        batches.add(batch);
        calls.add("batch " + engineId + " " + (long) batch.ts());
    }

    @Override
    public void forget(String engineId) {
        calls.add("forget " + engineId);
    }

    @Override
    public void live(String engineId, boolean live) {
        calls.add("live " + engineId + " " + live);
    }

    /** Only the batch lines, in order. */
    List<String> batchLines() {
        return calls.stream().filter(call -> call.startsWith("batch ")).toList();
    }
}
