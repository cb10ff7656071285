package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three node processes' worth of nodes (in one JVM here), each hosting a member of three groups on one media
 * driver and archive: the groups are independent, each has one leader, and tools can read their status.
 */
class MultiGroupNodeTest
{
    private static final int GROUPS = 3;

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
    @Timeout(90)
    void shouldHostSeveralIndependentGroupsPerNode()
    {
        final GroupTopology topology = GroupTopology.local(3, 29000);
        for (int m = 0; m < 3; m++)
        {
            closeables.add(ReplicaNode.launch(new ReplicaNodeContext()
                .memberId(m)
                .topology(topology)
                .groups(0, 1, 2)
                .baseDir(new File(tempDir, "node-" + m))
                .deleteOnStart(true)
                .errorHandler(errors::add)
                .storeCapacityBytes(4L * 1024 * 1024)));
        }
        final FerriteClient[] clients = new FerriteClient[GROUPS];
        for (int g = 0; g < GROUPS; g++)
        {
            clients[g] = FerriteClient.connect(
                new ClientContext().group(topology.ingressEndpoints(g)));
            closeables.add(clients[g]);
            clients[g].put(bytes("shared-key"), bytes("group-" + g));
        }
        for (int g = 0; g < GROUPS; g++)
        {
            assertArrayEquals(bytes("group-" + g), clients[g].get(bytes("shared-key")),
                "group " + g + " must hold its own value: groups are independent state machines");
            assertNull(clients[g].get(bytes("only-elsewhere")));
        }

        final List<ClusterStatus.MemberStatus> statuses = ClusterStatus.read(topology, 0, 1, 2);
        System.out.println(ClusterStatus.format(statuses));
        for (int g = 0; g < GROUPS; g++)
        {
            final int group = g;
            assertEquals(1, statuses.stream().filter(s -> s.group() == group && "LEADER".equals(s.role())).count(),
                "group " + g + " must have exactly one leader: " + statuses);
        }
        assertTrue(statuses.stream().allMatch(ClusterStatus.MemberStatus::reachable), statuses.toString());
        assertTrue(statuses.stream().anyMatch(s -> s.appliedPosition() > 0), statuses.toString());
        // Aeron reports elections and slow joins on a loaded machine as warnings: only real errors fail the test
        assertTrue(ErrorFilter.realErrors(errors).isEmpty(), "errors reached the error handler: " + errors);
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
