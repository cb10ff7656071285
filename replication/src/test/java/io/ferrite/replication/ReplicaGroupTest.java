package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicaGroupTest
{
    private static final int PORT_BASE = 24000;

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

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(60)
    void shouldReplicateWritesAndServeLinearizableReadsThroughTheLeader()
    {
        final GroupTopology topology = GroupTopology.local(3, PORT_BASE);
        for (int m = 0; m < 3; m++)
        {
            closeables.add(ReplicaNode.launch(new ReplicaNodeContext()
                .memberId(m)
                .topology(topology)
                .groups(0)
                .baseDir(new File(tempDir, "node-" + m))
                .deleteOnStart(true)
                .storeCapacityBytes(8L * 1024 * 1024)));
        }
        final FerriteClient client = FerriteClient.connect(
            new ClientContext().group(topology.ingressEndpoints(0)));
        closeables.add(client);

        client.put(bytes("k1"), bytes("v1"));
        assertArrayEquals(bytes("v1"), client.get(bytes("k1")));
        assertNull(client.get(bytes("missing")));
        assertFalse(client.putIfAbsent(bytes("k1"), bytes("other"), Duration.ZERO),
            "k1 exists: putIfAbsent must not store");
        assertTrue(client.compareAndSet(bytes("k1"), bytes("v1"), bytes("v2")));
        assertFalse(client.compareAndSet(bytes("k1"), bytes("v1"), bytes("v3")), "stale expected value must fail");
        assertArrayEquals(bytes("v2"), client.get(bytes("k1")));
        assertTrue(client.delete(bytes("k1")));
        assertNull(client.get(bytes("k1")));
        assertTrue(client.leaderMemberId() >= 0, "client must know the leader");
    }
}
