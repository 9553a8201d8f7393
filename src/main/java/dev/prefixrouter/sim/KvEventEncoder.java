package dev.prefixrouter.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Encodes a batch of {@link SimKvEvent}s as vLLM's msgpack {@code KVEventBatch}, as msgspec would with
 * {@code omit_defaults=True}: {@code data_parallel_rank} (default null) is omitted, and so are the optional
 * trailing fields of newer versions ({@code extra_keys}, {@code group_idx}, ...); the required ones are always
 * present, {@code lora_name} included (null). Hashes are unsigned 64-bit integers on the wire, so a hash whose top
 * bit is set goes out as a {@code uint64}, never as a negative {@code int64}. Integers and strings take msgpack's
 * smallest form, as msgspec's do.
 */
final class KvEventEncoder {

    static final String MEDIUM = "GPU";
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private KvEventEncoder() {
    }

    static byte[] encode(double ts, List<SimKvEvent> events, KvEventsEncoding encoding) {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            if (encoding.batchAsArray()) {
                packer.packArrayHeader(2).packDouble(ts);
            } else {
                packer.packMapHeader(2).packString("ts").packDouble(ts).packString("events");
            }
            packer.packArrayHeader(events.size());
            for (SimKvEvent event : events) {
                pack(packer, event, encoding.eventsAsArrays());
            }
            return packer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("msgpack encoding into memory failed", e);
        }
    }

    private static void pack(MessagePacker packer, SimKvEvent event, boolean asArray) throws IOException {
        if (event instanceof SimKvEvent.Stored stored) {
            header(packer, asArray, "BlockStored", 7);
            field(packer, asArray, "block_hashes");
            packHashes(packer, stored.blockHashes());
            field(packer, asArray, "parent_block_hash");
            if (stored.hasParent()) {
                packUnsigned(packer, stored.parentBlockHash());
            } else {
                packer.packNil();
            }
            field(packer, asArray, "token_ids");
            packer.packArrayHeader(stored.tokenIds().length);
            for (int id : stored.tokenIds()) {
                packer.packInt(id);
            }
            field(packer, asArray, "block_size");
            packer.packInt(stored.blockSize());
            field(packer, asArray, "lora_id");
            packer.packNil();
            field(packer, asArray, "medium");
            packer.packString(MEDIUM);
            field(packer, asArray, "lora_name");
            packer.packNil();
        } else if (event instanceof SimKvEvent.Removed removed) {
            header(packer, asArray, "BlockRemoved", 2);
            field(packer, asArray, "block_hashes");
            packHashes(packer, removed.blockHashes());
            field(packer, asArray, "medium");
                packer.packString(MEDIUM);
        } else {
            header(packer, asArray, "AllBlocksCleared", 0);
        }
    }

    /** An array starts with the tag; a map has the tag under {@code "type"} and then {@code fields} entries. */
    private static void header(MessagePacker packer, boolean asArray, String tag, int fields) throws IOException {
        if (asArray) {
            packer.packArrayHeader(fields + 1).packString(tag);
        } else {
            packer.packMapHeader(fields + 1).packString("type").packString(tag);
        }
    }

    private static void field(MessagePacker packer, boolean asArray, String name) throws IOException {
        if (!asArray) {
            packer.packString(name);
        }
    }

    private static void packHashes(MessagePacker packer, long[] hashes) throws IOException {
        packer.packArrayHeader(hashes.length);
        for (long hash : hashes) {
            packUnsigned(packer, hash);
        }
    }

    /** {@code value} read as unsigned: values from 2^63 go out as msgpack {@code uint64}. */
    static void packUnsigned(MessagePacker packer, long value) throws IOException {
        if (value >= 0) {
            packer.packLong(value);
        } else {
            packer.packBigInteger(BigInteger.valueOf(value).add(TWO_TO_64));
        }
    }
}
