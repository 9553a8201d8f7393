package dev.prefixrouter.sim;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * A KV event as a test reads it back from the wire, whichever encoding carried it: the subscriber side of the
 * golden tests, written against the msgpack spec and vLLM's field names, not against the simulator's encoder.
 * Hashes are kept as unsigned {@link BigInteger}s so that a test can check they are positive on the wire.
 */
record WireEvent(String type, List<BigInteger> hashes, BigInteger parent, List<Integer> tokenIds, Integer blockSize,
        Value loraId, String medium, Value loraName) {

    private static final List<String> STORED_FIELDS = List.of("block_hashes", "parent_block_hash", "token_ids",
            "block_size", "lora_id", "medium", "lora_name");
    private static final List<String> REMOVED_FIELDS = List.of("block_hashes", "medium");

    /** A decoded batch: {@code ts}, its events, and whether the batch and its events were arrays. */
    record Batch(double ts, List<WireEvent> events, boolean batchWasArray, int batchEntries) {
    }

    static Batch decode(byte[] payload) {
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(payload)) {
            Value root = unpacker.unpackValue();
            if (unpacker.hasNext()) {
                throw new AssertionError("bytes after the batch");
            }
            List<Value> fields;
            boolean array = root.isArrayValue();
            if (array) {
                fields = root.asArrayValue().list();
            } else {
                Map<Value, Value> map = root.asMapValue().map();
                fields = List.of(map.get(ValueFactory.newString("ts")), map.get(ValueFactory.newString("events")));
            }
            List<WireEvent> events = new ArrayList<>();
            for (Value event : fields.get(1).asArrayValue()) {
                events.add(of(event));
            }
            int entries = array ? root.asArrayValue().size() : root.asMapValue().size();
            return new Batch(fields.get(0).asFloatValue().toDouble(), events, array, entries);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static WireEvent of(Value event) {
        String type;
        List<Value> values = new ArrayList<>();
        if (event.isArrayValue()) {
            ArrayValue array = event.asArrayValue();
            type = array.get(0).asStringValue().asString();
            values.addAll(array.list().subList(1, array.size()));
        } else {
            Map<Value, Value> map = event.asMapValue().map();
            type = map.get(ValueFactory.newString("type")).asStringValue().asString();
            List<String> names = type.equals("BlockStored") ? STORED_FIELDS
                    : type.equals("BlockRemoved") ? REMOVED_FIELDS : List.of();
            if (map.size() != names.size() + 1) {
                throw new AssertionError(type + " has " + map.size() + " keys: " + map.keySet());
            }
            for (String name : names) {
                values.add(map.get(ValueFactory.newString(name)));
            }
        }
        return switch (type) {
            case "BlockStored" -> {
                if (values.size() != 7) {
                    throw new AssertionError("BlockStored has " + values.size() + " fields");
                }
                List<Integer> tokens = new ArrayList<>();
                values.get(2).asArrayValue().forEach(v -> tokens.add(v.asIntegerValue().asInt()));
                yield new WireEvent(type, hashes(values.get(0)),
                        values.get(1).isNilValue() ? null : values.get(1).asIntegerValue().asBigInteger(), tokens,
                        values.get(3).asIntegerValue().asInt(), values.get(4),
                        values.get(5).asStringValue().asString(), values.get(6));
            }
            case "BlockRemoved" -> {
                if (values.size() != 2) {
                    throw new AssertionError("BlockRemoved has " + values.size() + " fields");
                }
                yield new WireEvent(type, hashes(values.get(0)), null, null, null, null,
                        values.get(1).asStringValue().asString(), null);
            }
            case "AllBlocksCleared" -> {
                if (!values.isEmpty()) {
                    throw new AssertionError("AllBlocksCleared has fields " + values);
                }
                yield new WireEvent(type, List.of(), null, null, null, null, null, null);
            }
            default -> throw new AssertionError("unknown event type " + type);
        };
    }

    private static List<BigInteger> hashes(Value array) {
        List<BigInteger> out = new ArrayList<>();
        array.asArrayValue().forEach(v -> out.add(v.asIntegerValue().asBigInteger()));
        return out;
    }

    /** The unsigned wire value of a simulator hash. */
    static BigInteger unsigned(long hash) {
        return new BigInteger(Long.toUnsignedString(hash));
    }

    /** The hashes as the simulator's longs. */
    List<Long> hashLongs() {
        return hashes.stream().map(BigInteger::longValue).toList();
    }
}
