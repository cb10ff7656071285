package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteRequestException;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Possibly-stale reads are served by one member from its own copy, outside the log, and refuse writes.
 */
class StaleReadTest
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
    void shouldServeFollowerReadsThatCatchUpAndRefuseWrites()
    {
        final GroupTopology topology = GroupTopology.local(3, 14000);
        for (int m = 0; m < 3; m++)
        {
            closeables.add(ReplicaNode.launch(new ReplicaNodeContext()
                .memberId(m)
                .topology(topology)
                .baseDir(new File(tempDir, "node-" + m))
                .deleteOnStart(true)
                .storeCapacityBytes(4L * 1024 * 1024)));
        }
        final FerriteClient leaderClient = FerriteClient.connect(new ClientContext()
            .group(topology.ingressEndpoints(0))
            .staleReadEndpoints(topology.staleReadEndpoints(0)));
        closeables.add(leaderClient);
        leaderClient.put(bytes("k"), bytes("v1"));
        assertArrayEquals(bytes("v1"), leaderClient.getPossiblyStale(bytes("k")),
            "the leader applies a write before acknowledging it, so its own stale read sees it");

        final int follower = (leaderClient.leaderMemberId() + 1) % 3;
        final FerriteClient followerClient = FerriteClient.connect(new ClientContext()
            .group(topology.ingressEndpoints(0))
            .staleReadEndpoints(topology.staleReadEndpoints(0))
            .staleReadMember(follower));
        closeables.add(followerClient);
        leaderClient.put(bytes("k"), bytes("v2"));
        final long deadline = System.currentTimeMillis() + 10_000;
        byte[] seen;
        while (!Arrays.equals(bytes("v2"), seen = followerClient.getPossiblyStale(bytes("k"))))
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail("follower " + follower + " still serves " + (null == seen ? null : new String(seen,
                    StandardCharsets.UTF_8)) + " 10 s after v2 was acknowledged");
            }
            Thread.onSpinWait();
        }

        try (FerriteClient direct = FerriteClient.connect(new ClientContext()
            .nodeChannel("aeron:udp?endpoint=" + topology.endpoint(0, follower, GroupTopology.STALE_READ_PORT))))
        {
            assertThrows(FerriteRequestException.class, () -> direct.put(bytes("k"), bytes("sneaky")),
                "a stale-read endpoint must refuse writes: they would bypass the log");
        }
        assertArrayEquals(bytes("v2"), leaderClient.get(bytes("k")));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
