package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Write deduplication is keyed by a per-instance identity bound to a cluster session: a restarted client with
 * the same configured client id loses no write, and a session presenting another live client's id is refused.
 */
@Timeout(90)
class ClientIdentityTest
{
    @TempDir
    static File tempDir;

    private static TestGroup group;

    @BeforeAll
    static void startGroup()
    {
        group = new TestGroup(tempDir, 16000, (ctx) -> { });
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
    void shouldLoseNoWriteWhenAClientRestartsWithTheSameClientId()
    {
        final long firstInstance;
        try (FerriteClient first = FerriteClient.connect(group.clientContext()))
        {
            firstInstance = first.instanceId();
            first.put(bytes("restart:k"), bytes("v1"));
            first.put(bytes("restart:other"), bytes("x"));
        }
        try (FerriteClient second = FerriteClient.connect(group.clientContext()))
        {
            assertNotEquals(firstInstance, second.instanceId(), "each client instance draws its own identity");
            second.put(bytes("restart:k"), bytes("v2"));
            second.put(bytes("restart:other"), bytes("y"));
            assertArrayEquals(bytes("v2"), second.get(bytes("restart:k")),
                "the restarted client's first write was answered with its predecessor's outcome and not applied");
            assertArrayEquals(bytes("y"), second.get(bytes("restart:other")));
        }
    }

    @Test
    void shouldRefuseASessionThatPresentsAnotherLiveClientsId()
    {
        final FerriteClient victim = FerriteClient.connect(group.clientContext());
        try (RawIngress impostor = new RawIngress(group.topology))
        {
            victim.put(bytes("victim:a"), bytes("mine"));
            impostor.send(put(impostor, victim.instanceId(), 2, "victim:b", "evil"));
            final RawIngress.Error refused = impostor.awaitError(10_000);
            assertEquals(ErrorCode.CLIENT_ID_IN_USE, refused.code(), refused.message());
            assertEquals(2, refused.correlationId());
            victim.put(bytes("victim:b"), bytes("mine"));
            assertArrayEquals(bytes("mine"), victim.get(bytes("victim:b")),
                "the impostor's write must neither apply nor suppress the owner's write of the same correlation id");

            victim.close();
            final long deadline = System.nanoTime() + 20_000_000_000L;
            long correlationId = 100;
            while (true)
            {
                final long responses = impostor.responses;
                final int errors = impostor.errors.size();
                impostor.send(put(impostor, victim.instanceId(), ++correlationId, "victim:c", "taken over"));
                impostor.awaitResponses(responses + 1, 10_000);
                if (impostor.errors.size() == errors)
                {
                    break;
                }
                assertEquals(ErrorCode.CLIENT_ID_IN_USE, impostor.errors.get(errors).code());
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("the id was not released 20 s after its owner closed its session");
                }
                impostor.sendKeepAlive();
                LockSupport.parkNanos(50_000_000L);
            }
        }
        try (FerriteClient reader = group.connect())
        {
            assertArrayEquals(bytes("taken over"), reader.get(bytes("victim:c")),
                "a session may take over an id once its owner's session has closed");
            assertNull(reader.get(bytes("victim:missing")));
        }
    }

    private static int put(
        final RawIngress raw, final long clientId, final long correlationId, final String key, final String value)
    {
        final byte[] k = bytes(key);
        final byte[] v = bytes(value);
        return MessageHeaderEncoder.ENCODED_LENGTH + new PutRequestEncoder()
            .wrapAndApplyHeader(raw.buffer, 0, new MessageHeaderEncoder())
            .clientId(clientId).correlationId(correlationId).ttlMs(0).mode(PutMode.UPSERT)
            .putKey(k, 0, k.length).putValue(v, 0, v.length).encodedLength();
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
