package dev.prefixrouter.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import com.dynatrace.hash4j.hashing.Hashing;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Payloads as msgspec (0.22.0) encodes them with vLLM's struct definitions from
 * {@code vllm/distributed/kv_events.py}: the batch {@code array_like}, the events tagged maps (newer vLLM, with
 * {@code lora_name}, {@code extra_keys}, {@code group_idx}) or tagged arrays (older vLLM). Produced once with a
 * short Python script copying those definitions; the bytes are what a real engine sends, not what our own packer
 * thinks it sends.
 */
class KvEventDecoderGoldenTest {

    /**
     * {@code EventBatch(ts=1733212800.5, data_parallel_rank=1, events=[BlockStored(block_hashes=[2**64-1, 7],
     * parent=None, token_ids=[1,2,3,4], block_size=2, medium="GPU", extra_keys=[None, ("salt", 1)], group_idx=0),
     * BlockStored(block_hashes=[b"\xab" * 32], parent=2**63, token_ids=[5,6], block_size=2, lora_id=3,
     * lora_name="adapter"), BlockRemoved([7], "GPU"), AllBlocksCleared()])}, events as tagged maps.
     */
    private static final String NEWER_VLLM = "93cb41d9d3aea0200000948aa474797065ab426c6f636b53746f726564ac626c6f636b5f68617368657392cfffffffff"
            + "ffffffff07b1706172656e745f626c6f636b5f68617368c0a9746f6b656e5f6964739401020304aa626c6f636b5f7369"
            + "7a6502a76c6f72615f6964c0a66d656469756da3475055a96c6f72615f6e616d65c0aa65787472615f6b65797392c092"
            + "a473616c7401a967726f75705f6964780088a474797065ab426c6f636b53746f726564ac626c6f636b5f686173686573"
            + "91c420ababababababababababababababababababababababababababababababababb1706172656e745f626c6f636b"
            + "5f68617368cf8000000000000000a9746f6b656e5f696473920506aa626c6f636b5f73697a6502a76c6f72615f696403"
            + "a66d656469756dc0a96c6f72615f6e616d65a76164617074657283a474797065ac426c6f636b52656d6f766564ac626c"
            + "6f636b5f6861736865739107a66d656469756da347505581a474797065b0416c6c426c6f636b73436c656172656401";

    /**
     * {@code EventBatch(ts=12.0, events=[BlockStored([2**63+5], parent=9, token_ids=[1,2], block_size=2,
     * medium="GPU"), BlockRemoved([2**63+5], None), AllBlocksCleared()])}, events as tagged arrays.
     */
    private static final String OLDER_VLLM = "93cb40280000000000009397ab426c6f636b53746f72656491cf80000000000000050992010202c0a347505593ac426c"
            + "6f636b52656d6f76656491cf8000000000000005c091b0416c6c426c6f636b73436c6561726564c0";

    private final KvEventDecoder decoder = new KvEventDecoder();

    @Test
    void newerVllmTaggedMaps() throws Exception {
        EventBatch batch = decoder.decode(HexFormat.of().parseHex(NEWER_VLLM)).batch();

        assertThat(batch.ts()).isEqualTo(1733212800.5);
        assertThat(batch.dataParallelRank()).isEqualTo(1);
        assertThat(batch.events()).hasSize(4);
        KvEvent.BlockStored first = (KvEvent.BlockStored) batch.events().get(0);
        assertThat(first.blockHashes()).containsExactly(-1L, 7L);
        assertThat(first.hasParent()).isFalse();
        assertThat(first.tokenIds()).containsExactly(1, 2, 3, 4);
        assertThat(first.blockSize()).isEqualTo(2);
        assertThat(first.medium()).isEqualTo("GPU");
        KvEvent.BlockStored second = (KvEvent.BlockStored) batch.events().get(1);
        byte[] bytesHash = new byte[32];
        Arrays.fill(bytesHash, (byte) 0xab);
        assertThat(second.blockHashes()).containsExactly(Hashing.xxh3_64().hashBytesToLong(bytesHash));
        assertThat(second.hasParent()).isTrue();
        assertThat(second.parentBlockHash()).isEqualTo(Long.MIN_VALUE);
        assertThat(second.loraId()).isEqualTo(3);
        assertThat(second.medium()).isNull();
        assertThat(((KvEvent.BlockRemoved) batch.events().get(2)).blockHashes()).containsExactly(7L);
        assertThat(batch.events().get(3)).isEqualTo(new KvEvent.AllBlocksCleared());
    }

    @Test
    void olderVllmTaggedArrays() throws Exception {
        KvEventDecoder.Decoded decoded = decoder.decode(HexFormat.of().parseHex(OLDER_VLLM));

        EventBatch batch = decoded.batch();
        assertThat(decoded.unknownEvents()).isZero();
        assertThat(batch.ts()).isEqualTo(12.0);
        assertThat(batch.dataParallelRank()).isNull();
        KvEvent.BlockStored stored = (KvEvent.BlockStored) batch.events().get(0);
        assertThat(stored.blockHashes()).containsExactly(Long.MIN_VALUE + 5);
        assertThat(stored.parentBlockHash()).isEqualTo(9);
        assertThat(stored.medium()).isEqualTo("GPU");
        KvEvent.BlockRemoved removed = (KvEvent.BlockRemoved) batch.events().get(1);
        assertThat(removed.blockHashes()).containsExactly(Long.MIN_VALUE + 5);
        assertThat(removed.medium()).isNull();
        assertThat(batch.events().get(2)).isEqualTo(new KvEvent.AllBlocksCleared());
    }
}
