package io.ferrite.replication;

import io.ferrite.client.FerriteException;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteRedirectException;
import io.ferrite.codec.PartitionHash;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two groups of three members (three nodes in this JVM, each hosting a member of both groups): partitions are
 * moved from group 0 to group 1 while a writer keeps writing their keys; afterwards every acknowledged write is
 * read back from the new owner, the old owner redirects, and a client whose map predates the move still works.
 */
class PartitionMigrationTest
{
    private static final int PARTITIONS = 16;

    @TempDir
    File tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

    @AfterEach
    void tearDown()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    @Test
    @Timeout(180)
    void shouldMovePartitionsWhileWritingAndRedirectStaleClients() throws Exception
    {
        final GroupTopology topology = GroupTopology.local(3, 30000);
        final FerriteClient client = launch(topology);
        final FerriteClient stale = FerriteClient.connect(new ClientContext()
            .cluster(topology.ingressEndpoints(0), topology.ingressEndpoints(1))
            .requestTimeout(Duration.ofSeconds(20)));
        closeables.add(stale);
        final FerriteClient staleMultiGet = FerriteClient.connect(new ClientContext()
            .cluster(topology.ingressEndpoints(0), topology.ingressEndpoints(1))
            .requestTimeout(Duration.ofSeconds(20)));
        closeables.add(staleMultiGet);
        assertEquals(1, client.partitionMapEpoch(), "a new cluster starts at map epoch 1");

        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        for (int i = 0; i < 600; i++)
        {
            client.put(bytes("k" + i), bytes("v" + i), i % 3 == 0 ? Duration.ofMinutes(10) : Duration.ZERO);
            acknowledged.put("k" + i, "v" + i);
        }
        for (int i = 0; i < 600; i += 37)
        {
            assertArrayEquals(bytes("v" + i), stale.get(bytes("k" + i)), "k" + i + " before the move");
        }

        final List<PlannedMove> moves = new ArrayList<>();
        for (int p = 0; p < PARTITIONS && moves.size() < 4; p++)
        {
            if (0 == client.ownerOfPartition(p))
            {
                moves.add(new PlannedMove(p, 0, 1));
            }
        }
        final AtomicBoolean writing = new AtomicBoolean(true);
        final Thread writer = new Thread(() ->
        {
            int round = 0;
            while (writing.get())
            {
                for (int i = 0; i < 600 && writing.get(); i += 7)
                {
                    final String value = "w" + round + "-" + i;
                    try
                    {
                        client.put(bytes("k" + i), bytes(value));
                        acknowledged.put("k" + i, value);
                    }
                    catch (final FerriteException ex)
                    {
                        errors.add(ex);
                    }
                }
                round++;
            }
        }, "writer");
        writer.start();

        final List<Long> pauses = new ArrayList<>();
        try (ClusterAdmin admin = new ClusterAdmin(new String[]{ topology.ingressEndpoints(0),
            topology.ingressEndpoints(1) }, null, 10_000_000_000L))
        {
            final PlanStatus submitted = admin.submitPlan(moves);
            assertEquals(moves.size(), submitted.moves().size());
            final GroupRequestException busy = assertThrows(GroupRequestException.class,
                () -> admin.submitPlan(List.of(new PlannedMove(moves.get(0).partition(), 0, 1))));
            assertTrue(busy.getMessage().contains("already running"), busy.getMessage());
            final PlanStatus done = new PartitionMover(admin, 0, 64, 64 * 1024, new PartitionMover.ProgressListener()
            {
                public void onProgress(final MoveStatus move, final long queued, final long elapsedNs)
                {
                }

                public void onDone(final MoveStatus move, final long pauseNs)
                {
                    pauses.add(pauseNs);
                }
            }).apply();
            assertNull(done.running(), "every move must be finished: " + done);
            final PartitionMap map = admin.partitionMap();
            for (final PlannedMove move : moves)
            {
                assertEquals(1, map.owner(move.partition()), "partition " + move.partition() + " must be on group 1");
            }
            assertEquals(1 + moves.size(), map.epoch(), "one epoch per move");
        }
        writing.set(false);
        writer.join(30_000);
        assertFalse(writer.isAlive());
        // Aeron reports elections and slow joins on a loaded machine as warnings: only real errors fail the test
        final List<Throwable> real = ErrorFilter.realErrors(errors);
        assertTrue(real.isEmpty(), "errors: " + real);

        for (final Map.Entry<String, String> e : acknowledged.entrySet())
        {
            assertArrayEquals(bytes(e.getValue()), stale.get(bytes(e.getKey())),
                "acknowledged write of " + e.getKey() + " lost or stale after the move");
        }
        assertTrue(stale.redirectsFollowed() > 0, "the stale client must have been redirected");

        // a multi-get from a client that never heard of the moves: split by group (over the 1,024-key limit of one
        // message), redirected parts split again by the corrected map, every value in the caller's order
        final List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 2_600; i++)
        {
            keys.add(bytes(0 == i % 4 && i / 4 < 600 ? "k" + i / 4 : "missing-" + i));
        }
        final List<byte[]> values = staleMultiGet.multiGet(keys);
        assertEquals(keys.size(), values.size());
        for (int i = 0; i < keys.size(); i++)
        {
            final String key = new String(keys.get(i), StandardCharsets.UTF_8);
            final String expected = acknowledged.get(key);
            if (null == expected)
            {
                assertNull(values.get(i), key + " was never written");
            }
            else
            {
                assertArrayEquals(bytes(expected), values.get(i), "multi-get of " + key + " at " + i);
            }
        }
        assertTrue(staleMultiGet.redirectsFollowed() > 0, "the stale multi-get must have been redirected");

        try (FerriteClient group0 = FerriteClient.connect(new ClientContext()
            .group(topology.ingressEndpoints(0))))
        {
            final String movedKey = keyOf(moves.get(0).partition());
            final FerriteRedirectException redirect =
                assertThrows(FerriteRedirectException.class, () -> group0.get(bytes(movedKey)));
            assertEquals(1, redirect.ownerGroup(), redirect.getMessage());
            assertEquals(moves.get(0).partition(), redirect.partition());
        }
        System.out.println("MIGRATION moves=" + moves.size() + " pausesMs=" +
            pauses.stream().map(ns -> String.format("%.2f", ns / 1e6)).toList() + " redirects(stale)=" +
            stale.redirectsFollowed());
    }

    @Test
    @Timeout(180)
    void shouldMoveAPartitionAwayAndBackWithoutStaleEntries() throws Exception
    {
        final GroupTopology topology = GroupTopology.local(3, 30000);
        final FerriteClient client = launch(topology);
        final int partition = 2;
        final int home = client.ownerOfPartition(partition);
        final List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < 60; i++)
        {
            if (PartitionHash.partition(bytes("k" + i), PARTITIONS) == partition)
            {
                keys.add("k" + i);
            }
        }
        for (final String key : keys)
        {
            client.put(bytes(key), bytes("first-" + key));
        }
        TwoGroupCluster.move(topology, partition, home, 1 - home);
        // at the new owner: delete a third, rewrite a third, and add keys the old owner never had
        final Map<String, String> expected = new ConcurrentHashMap<>();
        for (int i = 0; i < keys.size(); i++)
        {
            final String key = keys.get(i);
            if (i % 3 == 0)
            {
                assertTrue(client.delete(bytes(key)), key + " deleted at the new owner");
            }
            else if (i % 3 == 1)
            {
                client.put(bytes(key), bytes("second-" + key));
                expected.put(key, "second-" + key);
            }
            else
            {
                expected.put(key, "first-" + key);
            }
        }
        for (int i = 0, added = 0; added < 10; i++)
        {
            final String key = "new" + i;
            if (PartitionHash.partition(bytes(key), PARTITIONS) == partition)
            {
                client.put(bytes(key), bytes("new-" + key));
                expected.put(key, "new-" + key);
                added++;
            }
        }
        TwoGroupCluster.move(topology, partition, 1 - home, home);
        for (int i = 0; i < keys.size(); i += 3)
        {
            assertNull(client.get(bytes(keys.get(i))), keys.get(i) + " was deleted while away: the old owner must " +
                "not have kept its copy from before the first move");
        }
        for (final Map.Entry<String, String> e : expected.entrySet())
        {
            assertArrayEquals(bytes(e.getValue()), client.get(bytes(e.getKey())), e.getKey() + " after the way back");
        }
        assertTrue(ErrorFilter.realErrors(errors).isEmpty(), "errors reached the error handler: " + errors);
    }

    private FerriteClient launch(final GroupTopology topology)
    {
        return TwoGroupCluster.launch(topology, tempDir, PARTITIONS, errors, closeables, (ctx) -> { });
    }

    private static String keyOf(final int partition)
    {
        for (int i = 0; ; i++)
        {
            if (PartitionHash.partition(bytes("k" + i), PARTITIONS) == partition)
            {
                return "k" + i;
            }
        }
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
