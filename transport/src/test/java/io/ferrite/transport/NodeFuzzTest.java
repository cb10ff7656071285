package io.ferrite.transport;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.NodeStats;
import io.ferrite.codec.sbe.DeleteRequestEncoder;
import io.ferrite.codec.sbe.GetRequestEncoder;
import io.ferrite.codec.sbe.InvalidateRequestEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestEncoder;
import io.ferrite.codec.sbe.PingRequestEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import io.ferrite.codec.sbe.StatsRequestEncoder;
import io.ferrite.engine.StoreContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Throws random and mutated frames at a running node, from a connected peer and from one that never connected,
 * while a normal client works; then checks that every client still gets correct answers and that nothing reached
 * the node's error handler.
 */
@Timeout(120)
class NodeFuzzTest
{
    private static final int FRAMES = 12_000;
    private static final int KEYS = 200;
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    private final TestNodes nodes = new TestNodes();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GetRequestEncoder getEncoder = new GetRequestEncoder();
    private final PutRequestEncoder putEncoder = new PutRequestEncoder();
    private final DeleteRequestEncoder deleteEncoder = new DeleteRequestEncoder();
    private final InvalidateRequestEncoder invalidateEncoder = new InvalidateRequestEncoder();
    private final MultiGetRequestEncoder multiGetEncoder = new MultiGetRequestEncoder();
    private final PingRequestEncoder pingEncoder = new PingRequestEncoder();
    private final StatsRequestEncoder statsEncoder = new StatsRequestEncoder();
    private FerriteNode node;
    private FerriteClient client;
    private FerriteClient lateClient;
    private RawClient fuzzer;
    private RawClient stranger;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(lateClient, client, fuzzer, stranger, node);
    }

    @Test
    void shouldKeepServingClientsUnderRandomAndMutatedFrames()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        node = FerriteNode.launch(nodes.nodeContext(TestNodes.freeUdpPort())
            .storeContext(new StoreContext().capacityBytes(32L * 1024 * 1024)));
        client = FerriteClient.connect(nodes.clientContext(node));
        for (int i = 0; i < KEYS; i++)
        {
            client.put("good:" + i, "value-" + i);
        }
        fuzzer = new RawClient(node);
        fuzzer.connect();
        stranger = new RawClient(node);

        for (int i = 0; i < FRAMES; i++)
        {
            final int length = mutate(random, fuzzer.buffer, encodeValid(random, fuzzer.buffer));
            fuzzer.send(length);
            fuzzer.poll();
            if (0 == i % 4)
            {
                stranger.send(fuzzer.buffer, 0, length);
                stranger.poll();
            }
            if (0 == i % 500)
            {
                fuzzer.connect();
            }
            if (0 == i % 2_000)
            {
                final int k = random.nextInt(KEYS);
                assertEquals("value-" + k, client.get("good:" + k), "seed " + seed);
            }
        }

        for (int i = 0; i < KEYS; i++)
        {
            assertEquals("value-" + i, client.get("good:" + i), "seed " + seed);
        }
        lateClient = FerriteClient.connect(nodes.clientContext(node));
        lateClient.put("late", "ok");
        assertEquals("ok", lateClient.get("late"));
        assertNull(lateClient.get("good:missing"));
        final NodeStats stats = lateClient.stats();
        assertTrue(stats.errors() > 0, "node sent no error responses");
        assertTrue(fuzzer.errors.size() > 0, "fuzzer saw no error responses");
        assertEquals(List.of(), nodes.errors, "seed " + seed);
        System.out.printf("seed %d: %d frames, %d error responses to the fuzzer, %d node errors sent, %d events%n",
            seed, FRAMES, fuzzer.errors.size(), stats.errors(), nodes.events.size());
    }

    private int encodeValid(final Random random, final UnsafeBuffer buffer)
    {
        final byte[] key = new byte[1 + random.nextInt(random.nextBoolean() ? 16 : 1100)];
        random.nextBytes(key);
        switch (random.nextInt(7))
        {
            case 0:
                return HEADER + getEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(random.nextLong()).putKey(key, 0, key.length).encodedLength();
            case 1:
                final int valueLength = random.nextBoolean() ? random.nextInt(100) : 65_537 + random.nextInt(4000);
                final byte[] value = new byte[valueLength];
                return HEADER + putEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(random.nextLong()).ttlMs(random.nextInt(1000))
                    .mode(PutMode.get((short)random.nextInt(3))).putKey(key, 0, key.length)
                    .putValue(value, 0, value.length).encodedLength();
            case 2:
                return HEADER + deleteEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(random.nextLong()).putKey(key, 0, key.length).encodedLength();
            case 3:
                return HEADER + invalidateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(random.nextLong()).putKey(key, 0, key.length).encodedLength();
            case 4:
                final int count = random.nextInt(5);
                final MultiGetRequestEncoder.KeysEncoder keys = multiGetEncoder
                    .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(99).correlationId(random.nextLong())
                    .keysCount(count);
                for (int i = 0; i < count; i++)
                {
                    keys.next().putKey(key, 0, Math.min(key.length, 8));
                }
                return HEADER + multiGetEncoder.encodedLength();
            case 5:
                return HEADER + pingEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(random.nextLong()).timestampNs(random.nextLong()).encodedLength();
            default:
                return HEADER + statsEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(random.nextLong()).encodedLength();
        }
    }

    private static int mutate(final Random random, final UnsafeBuffer buffer, final int length)
    {
        switch (random.nextInt(6))
        {
            case 0:
                final int randomLength = 1 + random.nextInt(512);
                for (int i = 0; i < randomLength; i++)
                {
                    buffer.putByte(i, (byte)random.nextInt());
                }
                return randomLength;
            case 1:
                return 1 + random.nextInt(length);
            case 2:
                final int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++)
                {
                    buffer.putByte(random.nextInt(Math.min(length, 64)), (byte)random.nextInt());
                }
                return length;
            case 3:
                buffer.putInt(random.nextInt(Math.min(length, 40) - 3), random.nextInt());
                return length;
            case 4:
                final int extra = random.nextInt(64);
                for (int i = 0; i < extra; i++)
                {
                    buffer.putByte(length + i, (byte)random.nextInt());
                }
                return length + extra;
            default:
                return length;
        }
    }
}
