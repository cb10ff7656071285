package io.ferrite.replication;

import io.ferrite.client.FerriteException;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteRequestException;
import io.ferrite.codec.RequestDecoder;
import io.ferrite.codec.sbe.CompareAndSetRequestEncoder;
import io.ferrite.codec.sbe.DeleteRequestEncoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestEncoder;
import io.ferrite.codec.sbe.InvalidateRequestEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestEncoder;
import io.ferrite.codec.sbe.PingRequestEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import io.ferrite.codec.sbe.StatsRequestEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster ingress decodes with the node's decoder and limits: errors name the request, the log and the
 * stale-read endpoints refuse the same keys, oversized writes are never applied, and random or mutated frames
 * through a real group leave normal clients correct and the error handlers silent.
 */
@Timeout(120)
class ClusterIngressTest
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int FRAMES = 3_000;
    private static final int KEYS = 100;

    @TempDir
    static File tempDir;

    private static TestGroup group;
    private static FerriteClient client;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GetRequestEncoder getEncoder = new GetRequestEncoder();
    private final PutRequestEncoder putEncoder = new PutRequestEncoder();
    private final DeleteRequestEncoder deleteEncoder = new DeleteRequestEncoder();
    private final InvalidateRequestEncoder invalidateEncoder = new InvalidateRequestEncoder();
    private final CompareAndSetRequestEncoder casEncoder = new CompareAndSetRequestEncoder();
    private final MultiGetRequestEncoder multiGetEncoder = new MultiGetRequestEncoder();
    private final PingRequestEncoder pingEncoder = new PingRequestEncoder();
    private final StatsRequestEncoder statsEncoder = new StatsRequestEncoder();

    @BeforeAll
    static void startGroup()
    {
        group = new TestGroup(tempDir, 15000, (ctx) -> { });
        client = group.connect();
    }

    @AfterAll
    static void stopGroup()
    {
        if (null != group)
        {
            group.close();
            // Aeron WARN events (a control request racing the archive's close, an election) are not errors
            assertEquals(List.of(), ErrorFilter.realErrors(group.errors), "nothing may reach an error handler");
        }
    }

    @Test
    void shouldNameTheRequestAndApplyTheNodesLimitsInTheLog()
    {
        try (RawIngress raw = new RawIngress(group.topology))
        {
            int length = get(raw.buffer, 501, 4);
            raw.buffer.putShort(2, (short)77);
            raw.send(length);
            assertError(raw, ErrorCode.UNKNOWN_TEMPLATE, 501);

            length = get(raw.buffer, 502, 4);
            raw.buffer.putShort(4, (short)1234);
            raw.send(length);
            assertError(raw, ErrorCode.UNSUPPORTED_SCHEMA, 502);

            length = get(raw.buffer, 503, 4);
            raw.buffer.putShort(6, (short)(MessageHeaderEncoder.SCHEMA_VERSION + 1));
            raw.send(length);
            assertError(raw, ErrorCode.UNSUPPORTED_VERSION, 503);

            length = get(raw.buffer, 504, 4);
            raw.buffer.putShort(0, (short)8);
            raw.send(length);
            assertError(raw, ErrorCode.MALFORMED_MESSAGE, 504);

            final byte[] bigKey = new byte[20 * 1024];
            raw.send(put(raw.buffer, 505, bigKey, bytes("v")));
            assertError(raw, ErrorCode.KEY_TOO_LARGE, 505);
            try (FerriteClient stale = FerriteClient.connect(new ClientContext()
                .nodeChannel("aeron:udp?endpoint=" + group.topology.endpoint(0, 0, GroupTopology.STALE_READ_PORT))))
            {
                final FerriteRequestException refused =
                    assertThrows(FerriteRequestException.class, () -> stale.get(bigKey));
                assertEquals(ErrorCode.KEY_TOO_LARGE, refused.code(), "the stale-read endpoint and the log " +
                    "must refuse the same keys");
            }

            final byte[] bigValue = new byte[1024 * 1024 + 1];
            raw.send(put(raw.buffer, 506, bytes("big"), bigValue));
            assertError(raw, ErrorCode.VALUE_TOO_LARGE, 506);
            assertNull(client.get(bytes("big")), "an oversized value must not be applied");
        }

        final long requestsBefore = group.leaderService().requestsApplied();
        final FerriteException refused = assertThrows(FerriteException.class,
            () -> client.put(bytes("big"), new byte[1024 * 1024 + 1]));
        assertTrue(refused.getMessage().startsWith("VALUE_TOO_LARGE"), refused.getMessage());
        assertThrows(FerriteException.class, () -> client.put(new byte[20 * 1024], bytes("v")));
        client.put(bytes("small"), bytes("ok"));
        assertEquals(requestsBefore + 1, group.leaderService().requestsApplied(),
            "the refused writes must never reach the log");
    }

    @Test
    void shouldKeepServingClientsUnderRandomAndMutatedFrames()
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        for (int i = 0; i < KEYS; i++)
        {
            client.put(bytes("good:" + i), bytes("value-" + i));
        }
        long sent = 0;
        long shortFrames = 0;
        try (RawIngress raw = new RawIngress(group.topology))
        {
            for (int i = 0; i < FRAMES; i++)
            {
                final int length = mutate(random, raw.buffer, encodeValid(random, raw.buffer));
                if (RequestDecoder.NO_CORRELATION_ID == RequestDecoder.correlationIdOf(raw.buffer, 0, length))
                {
                    shortFrames++;
                }
                raw.send(length);
                sent++;
                raw.poll();
                if (0 == i % 100)
                {
                    raw.awaitResponses(sent, 30_000);
                    raw.sendKeepAlive();
                }
                if (0 == i % 1_000)
                {
                    final int k = random.nextInt(KEYS);
                    assertArrayEquals(bytes("value-" + k), client.get(bytes("good:" + k)), "seed " + seed);
                }
            }
            raw.awaitResponses(sent, 30_000);
            assertEquals(sent, raw.responses, "every frame gets exactly one answer; seed " + seed);
            final long unnamed = raw.errors.stream()
                .filter((e) -> RequestDecoder.NO_CORRELATION_ID == e.correlationId()).count();
            assertTrue(unnamed <= shortFrames, unnamed + " errors without a correlation id but only " + shortFrames +
                " frames too short to hold one; seed " + seed + "; unnamed: " + raw.errors.stream()
                .filter((e) -> RequestDecoder.NO_CORRELATION_ID == e.correlationId()).limit(300).toList());
            assertTrue(raw.errors.size() > 0, "the fuzzer saw no error responses; seed " + seed);
            System.out.printf("seed %d: %d frames, %d errors, %d too short for a correlation id%n",
                seed, sent, raw.errors.size(), shortFrames);
        }

        for (int i = 0; i < KEYS; i++)
        {
            assertArrayEquals(bytes("value-" + i), client.get(bytes("good:" + i)), "seed " + seed);
        }
        try (FerriteClient late = FerriteClient.connect(group.clientContext()))
        {
            late.put(bytes("late"), bytes("ok"));
            assertArrayEquals(bytes("ok"), late.get(bytes("late")));
        }
        assertEquals(List.of(), List.copyOf(group.errors), "seed " + seed);
    }

    private static void assertError(final RawIngress raw, final ErrorCode code, final long correlationId)
    {
        final RawIngress.Error error = raw.awaitError(10_000);
        assertEquals(code, error.code(), error.message());
        assertEquals(correlationId, error.correlationId(), "the error must name the request: " + error.message());
    }

    private int get(final UnsafeBuffer buffer, final long correlationId, final int keyLength)
    {
        return HEADER + getEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(99).correlationId(correlationId).putKey(new byte[keyLength], 0, keyLength).encodedLength();
    }

    private int put(final UnsafeBuffer buffer, final long correlationId, final byte[] key, final byte[] value)
    {
        return HEADER + putEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(99).correlationId(correlationId).ttlMs(0).mode(PutMode.UPSERT)
            .putKey(key, 0, key.length).putValue(value, 0, value.length).encodedLength();
    }

    private int encodeValid(final Random random, final UnsafeBuffer buffer)
    {
        final byte[] key = new byte[1 + random.nextInt(random.nextBoolean() ? 16 : 1100)];
        random.nextBytes(key);
        final long correlationId = random.nextLong();
        switch (random.nextInt(8))
        {
            case 0:
                return HEADER + getEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(correlationId).putKey(key, 0, key.length).encodedLength();
            case 1:
                final byte[] value = new byte[random.nextBoolean() ? random.nextInt(100) : 65_537];
                return HEADER + putEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(correlationId).ttlMs(random.nextInt(1000))
                    .mode(PutMode.get((short)random.nextInt(3))).putKey(key, 0, key.length)
                    .putValue(value, 0, value.length).encodedLength();
            case 2:
                return HEADER + deleteEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(correlationId).putKey(key, 0, key.length).encodedLength();
            case 3:
                return HEADER + invalidateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(correlationId).putKey(key, 0, key.length).encodedLength();
            case 4:
                final int count = random.nextInt(5);
                final MultiGetRequestEncoder.KeysEncoder keys = multiGetEncoder
                    .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(99).correlationId(correlationId)
                    .keysCount(count);
                for (int i = 0; i < count; i++)
                {
                    keys.next().putKey(key, 0, Math.min(key.length, 8));
                }
                return HEADER + multiGetEncoder.encodedLength();
            case 5:
                return HEADER + casEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(correlationId).ttlMs(0).putKey(key, 0, key.length)
                    .putExpected(key, 0, Math.min(3, key.length)).putValue(key, 0, key.length).encodedLength();
            case 6:
                return HEADER + pingEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(correlationId).timestampNs(random.nextLong()).encodedLength();
            default:
                return HEADER + statsEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(99).correlationId(correlationId).encodedLength();
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

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
