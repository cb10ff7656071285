package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.aeron.cluster.service.Cluster;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

class SnapshotTriggerTest
{
    @TempDir
    File tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    @Test
    @Timeout(60)
    void shouldSnapshotWhenLogGrowsAndRecoverFromIt()
    {
        final GroupTopology topology = GroupTopology.local(1, 27000);
        final File dir = new File(tempDir, "node");
        ReplicaNode node = ReplicaNode.launch(context(topology, dir, true));
        closeables.add(node);
        try (FerriteClient client = FerriteClient.connect(
            new ClientContext().group(topology.ingressEndpoints(0))))
        {
            final byte[] value = new byte[500];
            for (int i = 0; i < 2000; i++)
            {
                client.put(("k" + (i % 100)).getBytes(StandardCharsets.UTF_8), value);
            }
            client.put(bytes("last"), bytes("value"));
        }
        final FerriteClusteredService service = node.service(0);
        assertEquals(Cluster.Role.LEADER, service.role(), "single member must lead");
        final long deadline = System.currentTimeMillis() + 20_000;
        while (service.snapshots() < 1)
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail("no snapshot after log position " + service.logPosition());
            }
            Thread.onSpinWait();
        }
        System.out.println("SNAPSHOT entries=" + service.lastSnapshotEntries() + " ms=" +
            service.lastSnapshotNs() / 1_000_000.0);
        node.close();
        closeables.remove(node);

        node = ReplicaNode.launch(context(topology, dir, false));
        closeables.add(node);
        try (FerriteClient client = FerriteClient.connect(
            new ClientContext().group(topology.ingressEndpoints(0))))
        {
            assertArrayEquals(bytes("value"), client.get(bytes("last")));
            assertArrayEquals(new byte[500], client.get(bytes("k7")));
        }
    }

    private static ReplicaNodeContext context(final GroupTopology topology, final File dir, final boolean fresh)
    {
        return new ReplicaNodeContext()
            .memberId(0)
            .topology(topology)
            .baseDir(dir)
            .deleteOnStart(fresh)
            .snapshotLogBytes(256 * 1024)
            .storeCapacityBytes(8L * 1024 * 1024);
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
