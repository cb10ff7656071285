package io.ferrite.replication;

import io.ferrite.client.FerriteException;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A group accepts far more than Aeron's default of 10 sessions, and idle sessions cannot lock newcomers out.
 */
@Timeout(120)
class SessionLimitTest
{
    @TempDir
    File tempDir;

    private MediaDriver clientDriver;
    private TestGroup group;

    @BeforeEach
    void startClientDriver()
    {
        clientDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName("/dev/shm/ferrite-session-test-" + ThreadLocalRandom.current().nextInt(1 << 30))
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1000, 1_000_000))
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietClose(group);
        CloseHelper.quietClose(clientDriver);
        if (null != group)
        {
            // Aeron WARN events (a control request racing the archive's close, an election) are not errors
            assertEquals(List.of(), ErrorFilter.realErrors(group.errors), "nothing may reach an error handler");
        }
    }

    private ClientContext clientContext()
    {
        return group.clientContext().aeronDir(clientDriver.aeronDirectoryName());
    }

    @Test
    void shouldAcceptMoreThanTenIdleClientsByDefault()
    {
        group = new TestGroup(tempDir, 18000, (ctx) -> { });
        final List<FerriteClient> clients = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            final FerriteClient client = group.add(FerriteClient.connect(clientContext()));
            client.put(bytes("client:" + i), bytes("here"));
            clients.add(client);
        }
        for (int i = 0; i < clients.size(); i++)
        {
            assertArrayEquals(bytes("here"), clients.get(i).get(bytes("client:" + i)), "client " + i);
        }
    }

    @Test
    void shouldCloseIdleSessionsSoNewcomersFindASlot()
    {
        group = new TestGroup(tempDir, 18500, (ctx) -> ctx.maxSessions(4).sessionIdleTimeoutMs(300));
        final List<FerriteClient> idle = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final FerriteClient client = group.add(FerriteClient.connect(clientContext()));
            client.put(bytes("idle:" + i), bytes("v"));
            idle.add(client);
        }
        for (int i = 0; i < 4; i++)
        {
            final FerriteClient newcomer = connectWithin(15_000);
            newcomer.put(bytes("new:" + i), bytes("v"));
            assertArrayEquals(bytes("v"), newcomer.get(bytes("idle:0")));
        }
        for (int i = 0; i < idle.size(); i++)
        {
            idle.get(i).put(bytes("idle:" + i), bytes("back"));
            assertArrayEquals(bytes("back"), idle.get(i).get(bytes("idle:" + i)),
                "a client whose idle session was closed reconnects when it is used again");
        }
    }

    private FerriteClient connectWithin(final long timeoutMs)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        long parkMs = 10;
        while (true)
        {
            try
            {
                return group.add(FerriteClient.connect(clientContext()));
            }
            catch (final FerriteException ex)
            {
                if (System.currentTimeMillis() > deadline)
                {
                    throw new AssertionError("no session slot freed within " + timeoutMs + " ms: " + ex.getMessage(),
                        ex);
                }
            }
            try
            {
                Thread.sleep(parkMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
            parkMs = Math.min(200, parkMs * 2);
        }
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
