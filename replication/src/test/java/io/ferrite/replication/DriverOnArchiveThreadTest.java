package io.ferrite.replication;

import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.FerriteException;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The members' other thread layout ({@code ferrite.replication.driver.thread=archive}: the media driver inside the
 * archive's duty cycle) serves, replicates, survives a killed leader and converges; and the setting is checked.
 */
class DriverOnArchiveThreadTest
{
    private static final int KEYS = 300;

    @TempDir
    File tempDir;

    private final List<MemberProcess> members = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        for (int i = members.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(members.get(i));
        }
        System.clearProperty(ReplicationConfiguration.DRIVER_THREAD_PROP_NAME);
    }

    @Test
    @Timeout(10)
    void shouldParseTheSettingAndRefuseOtherValues()
    {
        System.clearProperty(ReplicationConfiguration.DRIVER_THREAD_PROP_NAME);
        assertFalse(ReplicationConfiguration.driverOnArchiveThread(), "default: the driver has its own thread");
        System.setProperty(ReplicationConfiguration.DRIVER_THREAD_PROP_NAME, "archive");
        assertTrue(ReplicationConfiguration.driverOnArchiveThread());
        System.setProperty(ReplicationConfiguration.DRIVER_THREAD_PROP_NAME, " own ");
        assertFalse(ReplicationConfiguration.driverOnArchiveThread());
        System.setProperty(ReplicationConfiguration.DRIVER_THREAD_PROP_NAME, "shared");
        final IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, ReplicationConfiguration::driverOnArchiveThread);
        assertTrue(refused.getMessage().contains("'archive' or 'own', not 'shared'"), refused.getMessage());
    }

    @Test
    @Timeout(180)
    void shouldReplicateAndFailOverWithTheDriverOnTheArchiveThread()
    {
        final GroupTopology topology = GroupTopology.local(3, 16000);
        for (int m = 0; m < 3; m++)
        {
            members.add(new MemberProcess(m, topology, new File(tempDir, "member-" + m), 0)
                .property(ReplicationConfiguration.DRIVER_THREAD_PROP_NAME, "archive")
                .property(StoreDigestPublisher.INTERVAL_PROP_NAME, 200)
                .start(true, 60_000));
        }
        final int leader = GroupProbe.awaitHealthy(topology, 0, 60_000);
        try (FerriteClient client = FerriteClient.connect(new ClientContext().group(topology.ingressEndpoints(0))))
        {
            for (int i = 0; i < KEYS; i++)
            {
                client.put(bytes("key-" + i), bytes("first-" + i));
            }
            members.get(leader).kill();
            // the first call after the kill waits out the election (the client resends until a new leader answers)
            final byte[] first = retried(() -> client.get(bytes("key-0")));
            assertArrayEquals(bytes("first-0"), first, "key-0 lost its acknowledged value when leader " + leader +
                " was killed");
            for (int i = 0; i < KEYS; i++)
            {
                assertArrayEquals(bytes("first-" + i), client.get(bytes("key-" + i)),
                    "key-" + i + " lost its acknowledged value when leader " + leader + " was killed");
                client.put(bytes("key-" + i), bytes("second-" + i));
            }
            members.get(leader).start(false, 60_000);
            GroupProbe.awaitHealthy(topology, 0, 60_000);
            client.put(bytes("after-restart"), bytes("x"));
        }
        final List<ClusterStatus.StoreDigest> digests = GroupProbe.awaitDigests(topology, 0, 60_000);
        assertEquals(3, digests.size(), "every member reports a digest: " + digests);
        assertTrue(GroupProbe.divergent(digests).isEmpty(), "stores differ after the restarted leader rejoined: " +
            digests);
    }

    private static byte[] retried(final Supplier<byte[]> call)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                return call.get();
            }
            catch (final FerriteException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw ex;
                }
                GroupProbe.pause(100);
            }
        }
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
