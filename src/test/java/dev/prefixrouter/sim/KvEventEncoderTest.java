package dev.prefixrouter.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.value.ValueFactory;

/**
 * Golden tests of the wire format: the bytes of a known batch are built here independently, call by call after
 * vLLM's msgspec definitions (uint64 hashes written as raw {@code 0xcf} + 8 bytes), compared with the encoder's,
 * then decoded back field by field.
 */
class KvEventEncoderTest {

    private static final double TS = 1733200000.25;
    private static final long BIG = 0x8000000000000001L;        // 2^63 + 1
    private static final long MAX = -1L;                        // 2^64 - 1
    private static final long PARENT = 0xFEDCBA9876543210L;     // above 2^63 too
    private static final int[] TOKENS = {1, 200, 70_000, Integer.MAX_VALUE, 0, 5};

    private static final List<SimKvEvent> EVENTS = List.of(
            new SimKvEvent.Stored(new long[] {5, BIG, MAX}, true, PARENT, TOKENS, 2),
            new SimKvEvent.Stored(new long[] {7}, false, 0, new int[] {9, 10}, 2),
            new SimKvEvent.Removed(new long[] {BIG, 300}),
            new SimKvEvent.Cleared());

    @ParameterizedTest
    @EnumSource(KvEventsEncoding.class)
    void bytesAreExactlyVllmsMsgpack(KvEventsEncoding encoding) throws IOException {
        assertThat(KvEventEncoder.encode(TS, EVENTS, encoding)).isEqualTo(expected(encoding));
    }

    @ParameterizedTest
    @EnumSource(KvEventsEncoding.class)
    void decodingBackGivesEveryField(KvEventsEncoding encoding) {
        WireEvent.Batch batch = WireEvent.decode(KvEventEncoder.encode(TS, EVENTS, encoding));
        assertThat(batch.ts()).isEqualTo(TS);
        assertThat(batch.batchWasArray()).isEqualTo(encoding != KvEventsEncoding.MAP);
        assertThat(batch.batchEntries()).as("data_parallel_rank omitted").isEqualTo(2);
        assertThat(batch.events()).hasSize(4);

        WireEvent first = batch.events().get(0);
        assertThat(first.type()).isEqualTo("BlockStored");
        assertThat(first.hashes()).containsExactly(BigInteger.valueOf(5),
                BigInteger.ONE.shiftLeft(63).add(BigInteger.ONE), BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
        assertThat(first.hashes()).allSatisfy(h -> assertThat(h.signum()).isPositive());
        assertThat(first.hashLongs()).containsExactly(5L, BIG, MAX);
        assertThat(first.parent()).isEqualTo(new BigInteger("FEDCBA9876543210", 16));
        assertThat(first.tokenIds()).containsExactly(1, 200, 70_000, Integer.MAX_VALUE, 0, 5);
        assertThat(first.blockSize()).isEqualTo(2);
        assertThat(first.loraId().isNilValue()).isTrue();
        assertThat(first.medium()).isEqualTo("GPU");
        assertThat(first.loraName().isNilValue()).isTrue();

        WireEvent second = batch.events().get(1);
        assertThat(second.type()).isEqualTo("BlockStored");
        assertThat(second.parent()).as("a prompt's first block has no parent").isNull();
        assertThat(second.hashLongs()).containsExactly(7L);
        assertThat(second.tokenIds()).containsExactly(9, 10);

        WireEvent removed = batch.events().get(2);
        assertThat(removed.type()).isEqualTo("BlockRemoved");
        assertThat(removed.hashLongs()).containsExactly(BIG, 300L);
        assertThat(removed.medium()).isEqualTo("GPU");

        assertThat(batch.events().get(3).type()).isEqualTo("AllBlocksCleared");
    }

    @Test
    void anEmptyArrayBatchIsTwoElementsAndItsFirstBytesAreTheArrayAndDoubleMarkers() {
        byte[] bytes = KvEventEncoder.encode(TS, List.of(), KvEventsEncoding.ARRAY);
        assertThat(bytes[0]).isEqualTo((byte) 0x92);  // fixarray of 2
        assertThat(bytes[1]).isEqualTo((byte) 0xcb);  // float64
        assertThat(bytes[10]).isEqualTo((byte) 0x90); // empty event list
        assertThat(bytes).hasSize(11);
    }

    // ---- the expected bytes, written without the encoder

    private static byte[] expected(KvEventsEncoding encoding) throws IOException {
        boolean batchArray = encoding != KvEventsEncoding.MAP;
        boolean eventArrays = encoding == KvEventsEncoding.ARRAY;
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            if (batchArray) {
                p.packArrayHeader(2);
            } else {
                p.packMapHeader(2).packString("ts");
            }
            p.packDouble(TS);
            if (!batchArray) {
                p.packString("events");
            }
            p.packArrayHeader(4);

            start(p, eventArrays, "BlockStored", 7);
            key(p, eventArrays, "block_hashes");
            p.packArrayHeader(3).packInt(5);
            uint64(p, BIG);
            uint64(p, MAX);
            key(p, eventArrays, "parent_block_hash");
            uint64(p, PARENT);
            key(p, eventArrays, "token_ids");
            p.packArrayHeader(6).packInt(1).packInt(200).packInt(70_000).packInt(Integer.MAX_VALUE).packInt(0)
                    .packInt(5);
            key(p, eventArrays, "block_size");
            p.packInt(2);
            key(p, eventArrays, "lora_id");
            p.packNil();
            key(p, eventArrays, "medium");
            p.packString("GPU");
            key(p, eventArrays, "lora_name");
            p.packNil();

            start(p, eventArrays, "BlockStored", 7);
            key(p, eventArrays, "block_hashes");
            p.packArrayHeader(1).packInt(7);
            key(p, eventArrays, "parent_block_hash");
            p.packNil();
            key(p, eventArrays, "token_ids");
            p.packArrayHeader(2).packInt(9).packInt(10);
            key(p, eventArrays, "block_size");
            p.packInt(2);
            key(p, eventArrays, "lora_id");
            p.packNil();
            key(p, eventArrays, "medium");
            p.packString("GPU");
            key(p, eventArrays, "lora_name");
            p.packNil();

            start(p, eventArrays, "BlockRemoved", 2);
            key(p, eventArrays, "block_hashes");
            p.packArrayHeader(2);
            uint64(p, BIG);
            p.packInt(300);
            key(p, eventArrays, "medium");
            p.packString("GPU");

            start(p, eventArrays, "AllBlocksCleared", 0);
            return p.toByteArray();
        }
    }

    private static void start(MessageBufferPacker p, boolean array, String tag, int fields) throws IOException {
        if (array) {
            p.packArrayHeader(fields + 1).packString(tag);
        } else {
            p.packMapHeader(fields + 1).packString("type").packString(tag);
        }
    }

    private static void key(MessageBufferPacker p, boolean array, String name) throws IOException {
        if (!array) {
            p.packValue(ValueFactory.newString(name));
        }
    }

    /** msgpack uint64: 0xcf then the 8 bytes big-endian. */
    private static void uint64(MessageBufferPacker p, long bits) throws IOException {
        byte[] raw = new byte[9];
        raw[0] = (byte) 0xcf;
        for (int i = 0; i < 8; i++) {
            raw[1 + i] = (byte) (bits >>> (56 - 8 * i));
        }
        p.writePayload(raw);
    }
}
