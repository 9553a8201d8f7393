package dev.prefixrouter.kvevents;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageIntegerOverflowException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Decodes one ZMQ payload of vLLM's KV-event stream into an {@link EventBatch}. vLLM encodes with msgspec, and the
 * layout moved between versions, so both are read:
 * <ul>
 *   <li>the batch as an array {@code [ts, events, data_parallel_rank?]} or a map
 *       {@code {"ts", "events", "data_parallel_rank"}};</li>
 *   <li>each event as a tagged array {@code ["BlockStored", block_hashes, parent_block_hash, token_ids, block_size,
 *       lora_id?, medium?, ...]} or a map with a {@code "type"} key.</li>
 * </ul>
 * Fields newer versions append (lora_name, extra_keys, group_idx, ...) are skipped; fields older versions or
 * {@code omit_defaults} leave out read as absent. An event of a type this router does not know is skipped and
 * counted in {@link Decoded#unknownEvents()}, so that a newer engine does not stop the stream.
 *
 * <p>Block hashes are {@code uint64} ({@code ExternalBlockHash = bytes | int}): an integer above 2^63 becomes the
 * negative long of the same 64 bits; a hash sent as bytes is folded to 64 bits with XXH3, the same way wherever it
 * appears, so a parent hash still matches the block it names.
 *
 * <p>Anything else (truncated input, wrong types, a missing field every version sends, bytes after the batch)
 * raises {@link MalformedBatchException}; no other exception leaves {@link #decode}. Declared lengths are checked
 * against the bytes left before anything is allocated, so a hostile header cannot exhaust memory. Stateless and
 * thread-safe.
 */
public final class KvEventDecoder {

    /** What one payload held. */
    public record Decoded(EventBatch batch, int unknownEvents) {
    }

    private static final Hasher64 BYTES_HASH = Hashing.xxh3_64();

    public Decoded decode(byte[] payload) throws MalformedBatchException {
        if (payload == null || payload.length == 0) {
            throw new MalformedBatchException("empty payload: expected a msgpack event batch");
        }
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(payload)) {
            Reader reader = new Reader(in, payload.length);
            Decoded decoded = reader.batch();
            if (in.hasNext()) {
                throw new MalformedBatchException("payload has " + (payload.length - in.getTotalReadBytes())
                        + " bytes after the event batch");
            }
            return decoded;
        } catch (MalformedBatchException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Truncation (EOF), integer overflow, invalid UTF-8, a reserved format byte: all garbage on the wire.
            throw new MalformedBatchException("not a msgpack event batch: " + e, e);
        }
    }

    /** One payload's parse; {@code where} names the position for messages. */
    private static final class Reader {

        /** An {@code index} meaning the value is not an element of an array. */
        private static final int NO_INDEX = -1;

        private final MessageUnpacker in;
        private final int size;
        private int unknownEvents;

        Reader(MessageUnpacker in, int size) {
            this.in = in;
            this.size = size;
        }

        Decoded batch() throws IOException, MalformedBatchException {
            ValueType type = in.getNextFormat().getValueType();
            EventBatch batch;
            if (type == ValueType.ARRAY) {
                int fields = length(in.unpackArrayHeader(), "batch");
                if (fields < 2) {
                    throw new MalformedBatchException("batch array has " + fields
                            + " fields: expected [ts, events, data_parallel_rank?]");
                }
                double ts = number("batch ts");
                List<KvEvent> events = events();
                Integer rank = fields > 2 ? optionalInt("batch data_parallel_rank") : null;
                skip(fields - 3);
                batch = new EventBatch(ts, events, rank);
            } else if (type == ValueType.MAP) {
                batch = batchMap(length(in.unpackMapHeader(), "batch"));
            } else {
                throw new MalformedBatchException("batch is a msgpack " + type + ": expected an array or a map");
            }
            return new Decoded(batch, unknownEvents);
        }

        private EventBatch batchMap(int entries) throws IOException, MalformedBatchException {
            Double ts = null;
            List<KvEvent> events = null;
            Integer rank = null;
            for (int i = 0; i < entries; i++) {
                switch (key("batch")) {
                    case "ts" -> ts = number("batch ts");
                    case "events" -> events = events();
                    case "data_parallel_rank" -> rank = optionalInt("batch data_parallel_rank");
                    default -> in.skipValue();
                }
            }
            if (ts == null || events == null) {
                throw new MalformedBatchException("batch map lacks " + (ts == null ? "\"ts\"" : "\"events\""));
            }
            return new EventBatch(ts, events, rank);
        }

        private List<KvEvent> events() throws IOException, MalformedBatchException {
            expect(ValueType.ARRAY, "batch events");
            int count = length(in.unpackArrayHeader(), "batch events");
            List<KvEvent> events = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                KvEvent event = event("events[" + i + "]");
                if (event != null) {
                    events.add(event);
                }
            }
            return List.copyOf(events);
        }

        /** The event, or {@code null} when its type is unknown (counted). */
        private KvEvent event(String where) throws IOException, MalformedBatchException {
            ValueType type = in.getNextFormat().getValueType();
            Fields fields = new Fields();
            if (type == ValueType.ARRAY) {
                int length = length(in.unpackArrayHeader(), where);
                if (length < 1) {
                    throw new MalformedBatchException(where + " is an empty array: expected a tag first");
                }
                fields.tag = string(where + " tag");
                List<String> order = Fields.positions(fields.tag);
                if (order == null) {
                    skip(length - 1);
                    return unknown();
                }
                for (int i = 1; i < length; i++) {
                    if (i - 1 < order.size()) {
                        field(fields, order.get(i - 1), where);
                    } else {
                        in.skipValue();
                    }
                }
            } else if (type == ValueType.MAP) {
                int entries = length(in.unpackMapHeader(), where);
                for (int i = 0; i < entries; i++) {
                    String key = key(where);
                    if ("type".equals(key)) {
                        fields.tag = string(where + " type");
                    } else {
                        field(fields, key, where);
                    }
                }
                if (fields.tag == null) {
                    throw new MalformedBatchException(where + " is a map without \"type\"");
                }
                if (Fields.positions(fields.tag) == null) {
                    return unknown();
                }
            } else {
                throw new MalformedBatchException(where + " is a msgpack " + type + ": expected an array or a map");
            }
            return fields.build(where);
        }

        private KvEvent unknown() {
            unknownEvents++;
            return null;
        }

        private void field(Fields fields, String name, String where) throws IOException, MalformedBatchException {
            switch (name) {
                case "block_hashes" -> fields.blockHashes = hashes(where + " block_hashes");
                case "parent_block_hash" -> {
                    if (!in.tryUnpackNil()) {
                        fields.parent = hash(where + " parent_block_hash", NO_INDEX);
                        fields.hasParent = true;
                    }
                }
                case "token_ids" -> fields.tokenIds = ints(where + " token_ids");
                case "block_size" -> fields.blockSize = integer(where + " block_size");
                case "lora_id" -> fields.loraId = optionalInt(where + " lora_id");
                case "medium" -> fields.medium = in.tryUnpackNil() ? null : string(where + " medium");
                default -> in.skipValue();
            }
        }

        private long[] hashes(String where) throws IOException, MalformedBatchException {
            expect(ValueType.ARRAY, where);
            long[] hashes = new long[length(in.unpackArrayHeader(), where)];
            for (int i = 0; i < hashes.length; i++) {
                hashes[i] = hash(where, i);
            }
            return hashes;
        }

        /**
         * Element {@code index} of {@code where}: a {@code uint64} as the long of the same bits, or bytes folded with
         * XXH3.
         */
        private long hash(String where, int index) throws IOException, MalformedBatchException {
            MessageFormat format = in.getNextFormat();
            if (format == MessageFormat.UINT64) {
                return in.unpackBigInteger().longValue(); // the low 64 bits: 2^63 and above turn negative
            }
            if (format.getValueType() == ValueType.INTEGER) {
                return in.unpackLong();
            }
            if (format.getValueType() == ValueType.BINARY) {
                int length = length(in.unpackBinaryHeader(), where, index);
                return BYTES_HASH.hashBytesToLong(in.readPayload(length));
            }
            throw new MalformedBatchException(at(where, index) + " is a msgpack " + format.getValueType()
                    + ": expected an unsigned 64-bit integer or bytes");
        }

        private int[] ints(String where) throws IOException, MalformedBatchException {
            expect(ValueType.ARRAY, where);
            int[] values = new int[length(in.unpackArrayHeader(), where)];
            for (int i = 0; i < values.length; i++) {
                values[i] = integer(where, i);
            }
            return values;
        }

        private int integer(String where) throws IOException, MalformedBatchException {
            return integer(where, NO_INDEX);
        }

        private int integer(String where, int index) throws IOException, MalformedBatchException {
            expect(ValueType.INTEGER, where, index);
            try {
                return in.unpackInt();
            } catch (MessageIntegerOverflowException e) {
                throw new MalformedBatchException(at(where, index) + " is " + e.getBigInteger()
                        + ": expected a 32-bit integer", e);
            }
        }

        private Integer optionalInt(String where) throws IOException, MalformedBatchException {
            return in.tryUnpackNil() ? null : integer(where);
        }

        private double number(String where) throws IOException, MalformedBatchException {
            ValueType type = in.getNextFormat().getValueType();
            if (type == ValueType.FLOAT) {
                return in.unpackDouble();
            }
            if (type == ValueType.INTEGER) {
                return in.unpackLong();
            }
            throw new MalformedBatchException(where + " is a msgpack " + type + ": expected a number");
        }

        private String string(String where) throws IOException, MalformedBatchException {
            expect(ValueType.STRING, where);
            return in.unpackString();
        }

        private String key(String where) throws IOException, MalformedBatchException {
            return string(where + " key");
        }

        private void expect(ValueType expected, String where) throws IOException, MalformedBatchException {
            expect(expected, where, NO_INDEX);
        }

        private void expect(ValueType expected, String where, int index) throws IOException, MalformedBatchException {
            ValueType actual = in.getNextFormat().getValueType();
            if (actual != expected) {
                throw new MalformedBatchException(at(where, index) + " is a msgpack " + actual + ": expected "
                        + expected.name().toLowerCase(Locale.ROOT));
            }
        }

        /** A declared length, refused when it exceeds the bytes left (every element takes at least one). */
        private int length(int declared, String where) throws MalformedBatchException {
            return length(declared, where, NO_INDEX);
        }

        private int length(int declared, String where, int index) throws MalformedBatchException {
            long left = size - in.getTotalReadBytes();
            if (declared < 0 || declared > left) {
                throw new MalformedBatchException(at(where, index) + " declares " + Integer.toUnsignedString(declared)
                        + " elements but only " + left + " bytes are left");
            }
            return declared;
        }

        /**
         * Where element {@code index} of {@code where} stands, for an error message: built only when one is thrown,
         * not for every hash and token id decoded.
         */
        private static String at(String where, int index) {
            return index == NO_INDEX ? where : where + "[" + index + "]";
        }

        private void skip(int values) throws IOException {
            for (int i = 0; i < values; i++) {
                in.skipValue();
            }
        }
    }

    /** The fields of one event as read, in either layout, before it is built. */
    private static final class Fields {

        private static final List<String> BLOCK_STORED = List.of("block_hashes", "parent_block_hash", "token_ids",
                "block_size", "lora_id", "medium");
        private static final List<String> BLOCK_REMOVED = List.of("block_hashes", "medium");

        String tag;
        long[] blockHashes;
        boolean hasParent;
        long parent;
        int[] tokenIds;
        Integer blockSize;
        Integer loraId;
        String medium;

        /** The array layout's field order after the tag, or {@code null} for an event type not known here. */
        static List<String> positions(String tag) {
            return switch (tag) {
                case "BlockStored" -> BLOCK_STORED;
                case "BlockRemoved" -> BLOCK_REMOVED;
                case "AllBlocksCleared" -> List.of();
                default -> null;
            };
        }

        KvEvent build(String where) throws MalformedBatchException {
            return switch (tag) {
                case "BlockStored" -> {
                    require(blockHashes != null, where, "BlockStored", "block_hashes");
                    require(tokenIds != null, where, "BlockStored", "token_ids");
                    require(blockSize != null, where, "BlockStored", "block_size");
                    yield new KvEvent.BlockStored(blockHashes, hasParent, parent, tokenIds, blockSize, loraId,
                            medium);
                }
                case "BlockRemoved" -> {
                    require(blockHashes != null, where, "BlockRemoved", "block_hashes");
                    yield new KvEvent.BlockRemoved(blockHashes, medium);
                }
                default -> new KvEvent.AllBlocksCleared();
            };
        }

        private static void require(boolean present, String where, String type, String field)
                throws MalformedBatchException {
            if (!present) {
                throw new MalformedBatchException(where + " (" + type + ") lacks " + field);
            }
        }
    }
}
