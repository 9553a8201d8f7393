package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dynatrace.hash4j.hashing.Hashing;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** vLLM's batches in both of msgspec's layouts, the hash types it allows, and garbage. */
@Timeout(10)
class KvEventDecoderTest {

    private final KvEventDecoder decoder = new KvEventDecoder();

    /** A packer with checked exceptions turned unchecked, for building payloads inline. */
    interface Packing {
        void pack(MessageBufferPacker out) throws IOException;
    }

    static byte[] payload(Packing packing) {
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            packing.pack(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static final BigInteger TWO_POW_63 = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    @Test
    void arrayLayoutAsOlderVllmSendsIt() throws Exception {
        byte[] bytes = payload(out -> {
            out.packArrayHeader(3).packDouble(1712345678.25).packArrayHeader(3);
            out.packArrayHeader(7).packString("BlockStored");
            out.packArrayHeader(2).packBigInteger(TWO_POW_63).packBigInteger(MAX_UINT64);
            out.packNil(); // parent
            out.packArrayHeader(4).packInt(1).packInt(2).packInt(3).packInt(4);
            out.packInt(2).packNil().packString("GPU");
            out.packArrayHeader(3).packString("BlockRemoved").packArrayHeader(1).packLong(42).packString("CPU");
            out.packArrayHeader(1).packString("AllBlocksCleared");
            out.packInt(3);
        });

        KvEventDecoder.Decoded decoded = decoder.decode(bytes);

        EventBatch batch = decoded.batch();
        assertThat(decoded.unknownEvents()).isZero();
        assertThat(batch.ts()).isEqualTo(1712345678.25);
        assertThat(batch.dataParallelRank()).isEqualTo(3);
        assertThat(batch.events()).hasSize(3);
        KvEvent.BlockStored stored = (KvEvent.BlockStored) batch.events().get(0);
        assertThat(stored.blockHashes()).containsExactly(Long.MIN_VALUE, -1L);
        assertThat(stored.hasParent()).isFalse();
        assertThat(stored.tokenIds()).containsExactly(1, 2, 3, 4);
        assertThat(stored.blockSize()).isEqualTo(2);
        assertThat(stored.loraId()).isNull();
        assertThat(stored.medium()).isEqualTo("GPU");
        KvEvent.BlockRemoved removed = (KvEvent.BlockRemoved) batch.events().get(1);
        assertThat(removed.blockHashes()).containsExactly(42L);
        assertThat(removed.medium()).isEqualTo("CPU");
        assertThat(batch.events().get(2)).isInstanceOf(KvEvent.AllBlocksCleared.class);
    }

    @Test
    void arrayLayoutWithoutOptionalTrailingFieldsOrWithExtraOnes() throws Exception {
        byte[] bytes = payload(out -> {
            out.packArrayHeader(2).packInt(7).packArrayHeader(2); // integer ts, no rank (omit_defaults)
            out.packArrayHeader(5).packString("BlockStored").packArrayHeader(1).packLong(5).packLong(9)
                    .packArrayHeader(2).packInt(10).packInt(11).packInt(2); // no lora_id, no medium
            out.packArrayHeader(11).packString("BlockStored").packArrayHeader(1).packLong(6).packLong(5)
                    .packArrayHeader(2).packInt(12).packInt(13).packInt(2).packInt(4).packString("GPU")
                    .packString("my-lora").packArrayHeader(1).packNil().packInt(0).packString("full");
        });

        EventBatch batch = decoder.decode(bytes).batch();

        assertThat(batch.ts()).isEqualTo(7.0);
        assertThat(batch.dataParallelRank()).isNull();
        KvEvent.BlockStored first = (KvEvent.BlockStored) batch.events().get(0);
        assertThat(first.hasParent()).isTrue();
        assertThat(first.parentBlockHash()).isEqualTo(9);
        assertThat(first.medium()).isNull();
        KvEvent.BlockStored second = (KvEvent.BlockStored) batch.events().get(1);
        assertThat(second.parentBlockHash()).isEqualTo(5);
        assertThat(second.loraId()).isEqualTo(4);
        assertThat(second.medium()).isEqualTo("GPU");
    }

    @Test
    void mapLayoutAsNewerEncodersSendItWithUnknownFieldsAnywhere() throws Exception {
        byte[] bytes = payload(out -> {
            out.packMapHeader(4).packString("ts").packDouble(2.5);
            out.packString("future_field").packMapHeader(1).packString("x").packArrayHeader(1).packInt(1);
            out.packString("events").packArrayHeader(2);
            out.packMapHeader(9).packString("type").packString("BlockStored")
                    .packString("block_hashes").packArrayHeader(1).packBigInteger(MAX_UINT64)
                    .packString("parent_block_hash").packBigInteger(TWO_POW_63.add(BigInteger.ONE))
                    .packString("token_ids").packArrayHeader(2).packInt(1).packInt(2)
                    .packString("block_size").packInt(2)
                    .packString("lora_id").packNil()
                    .packString("medium").packString("GPU")
                    .packString("extra_keys").packArrayHeader(1).packArrayHeader(2).packString("a").packInt(1)
                    .packString("group_idx").packInt(0);
            out.packMapHeader(3).packString("block_hashes").packArrayHeader(1).packLong(3)
                    .packString("remaining_copy_counts").packArrayHeader(1).packInt(0)
                    .packString("type").packString("BlockRemoved"); // tag last: still found
            out.packString("data_parallel_rank").packNil();
        });

        EventBatch batch = decoder.decode(bytes).batch();

        assertThat(batch.ts()).isEqualTo(2.5);
        assertThat(batch.dataParallelRank()).isNull();
        KvEvent.BlockStored stored = (KvEvent.BlockStored) batch.events().get(0);
        assertThat(stored.blockHashes()).containsExactly(-1L);
        assertThat(stored.hasParent()).isTrue();
        assertThat(stored.parentBlockHash()).isEqualTo(Long.MIN_VALUE + 1);
        assertThat(stored.medium()).isEqualTo("GPU");
        KvEvent.BlockRemoved removed = (KvEvent.BlockRemoved) batch.events().get(1);
        assertThat(removed.blockHashes()).containsExactly(3L);
        assertThat(removed.medium()).isNull();
    }

    @Test
    void bytesHashesFoldToTheSameLongWhereverTheyAppear() throws Exception {
        byte[] hash = new byte[32];
        Arrays.fill(hash, (byte) 0xAB);
        byte[] bytes = payload(out -> {
            out.packArrayHeader(2).packDouble(0).packArrayHeader(2);
            out.packArrayHeader(5).packString("BlockStored").packArrayHeader(1).packBinaryHeader(32)
                    .writePayload(hash).packNil().packArrayHeader(1).packInt(1).packInt(1);
            out.packArrayHeader(7).packString("BlockStored").packArrayHeader(1).packLong(1)
                    .packBinaryHeader(32).writePayload(hash).packArrayHeader(1).packInt(2).packInt(1).packNil()
                    .packNil();
        });

        EventBatch batch = decoder.decode(bytes).batch();

        long folded = Hashing.xxh3_64().hashBytesToLong(hash);
        assertThat(((KvEvent.BlockStored) batch.events().get(0)).blockHashes()).containsExactly(folded);
        assertThat(((KvEvent.BlockStored) batch.events().get(1)).parentBlockHash()).isEqualTo(folded);
    }

    @Test
    void unknownEventTypesAreSkippedAndCountedInBothLayouts() throws Exception {
        byte[] bytes = payload(out -> {
            out.packArrayHeader(2).packDouble(0).packArrayHeader(3);
            out.packArrayHeader(3).packString("BlockMoved").packArrayHeader(1).packInt(1).packString("CPU");
            out.packMapHeader(2).packString("type").packString("SomethingNew").packString("x").packInt(1);
            out.packArrayHeader(1).packString("AllBlocksCleared");
        });

        KvEventDecoder.Decoded decoded = decoder.decode(bytes);

        assertThat(decoded.unknownEvents()).isEqualTo(2);
        assertThat(decoded.batch().events()).containsExactly(new KvEvent.AllBlocksCleared());
    }

    @Test
    void malformedPayloadsSayWhatWasExpectedWhere() {
        assertMalformed(new byte[0], "empty payload");
        assertMalformed(payload(out -> out.packString("hello")), "expected an array or a map");
        assertMalformed(payload(out -> out.packArrayHeader(1).packDouble(0)), "expected [ts, events");
        assertMalformed(payload(out -> out.packArrayHeader(2).packString("x").packArrayHeader(0)),
                "batch ts is a msgpack STRING");
        assertMalformed(payload(out -> out.packMapHeader(1).packString("ts").packDouble(0)),
                "lacks \"events\"");
        assertMalformed(payload(out -> out.packArrayHeader(2).packDouble(0).packArrayHeader(1)
                .packArrayHeader(2).packString("BlockRemoved").packArrayHeader(1).packString("h")),
                "events[0] block_hashes[0] is a msgpack STRING");
        assertMalformed(payload(out -> out.packArrayHeader(2).packDouble(0).packArrayHeader(1)
                .packArrayHeader(2).packString("BlockStored").packArrayHeader(0)), "lacks token_ids");
        assertMalformed(payload(out -> out.packArrayHeader(2).packDouble(0).packArrayHeader(1)
                .packMapHeader(1).packString("block_hashes").packArrayHeader(0)), "without \"type\"");
        assertMalformed(payload(out -> out.packArrayHeader(2).packDouble(0).packArrayHeader(1)
                .packArrayHeader(5).packString("BlockStored").packArrayHeader(0).packNil().packArrayHeader(1)
                .packLong(1L << 40).packInt(16)), "events[0] token_ids[0]");
        assertMalformed(payload(out -> out.packArrayHeader(2).packDouble(0).packArrayHeader(0).packInt(1)),
                "after the event batch");
        assertMalformed(payload(out -> out.packArrayHeader(2).packDouble(0).packArrayHeader(Integer.MAX_VALUE)),
                "declares 2147483647 elements");
    }

    @Test
    void everyTruncationOfAValidPayloadIsMalformedNeverAnotherException() throws Exception {
        byte[] bytes = payload(out -> {
            out.packMapHeader(2).packString("ts").packDouble(2.5).packString("events").packArrayHeader(1);
            out.packMapHeader(5).packString("type").packString("BlockStored")
                    .packString("block_hashes").packArrayHeader(2).packBigInteger(MAX_UINT64).packLong(7)
                    .packString("parent_block_hash").packNil()
                    .packString("token_ids").packArrayHeader(2).packInt(1).packInt(2)
                    .packString("block_size").packInt(1);
        });
        assertThat(decoder.decode(bytes).batch().events()).hasSize(1);
        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> decoder.decode(truncated))
                    .isInstanceOf(MalformedBatchException.class);
        }
    }

    @Test
    void randomBytesNeverThrowAnythingButMalformedBatch() {
        Random random = new Random(19);
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            try {
                decoder.decode(garbage);
            } catch (MalformedBatchException expected) {
                assertThat(expected).hasMessageNotContaining("null");
            }
        }
    }

    private void assertMalformed(byte[] bytes, String message) {
        assertThatThrownBy(() -> decoder.decode(bytes)).isInstanceOf(MalformedBatchException.class)
                .hasMessageContaining(message);
    }
}
