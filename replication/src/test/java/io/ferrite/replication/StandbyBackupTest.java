package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.aeron.cluster.RecordingLog;
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

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A standby copies the group's snapshot and follows its live log without being a member.
 */
class StandbyBackupTest
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
    @Timeout(90)
    void shouldCopySnapshotAndFollowLiveLog()
    {
        final GroupTopology topology = GroupTopology.local(3, 13000);
        final List<ReplicaNode> nodes = new ArrayList<>();
        for (int m = 0; m < 3; m++)
        {
            final ReplicaNode node = ReplicaNode.launch(new ReplicaNodeContext()
                .memberId(m)
                .topology(topology)
                .baseDir(new File(tempDir, "node-" + m))
                .deleteOnStart(true)
                .snapshotLogBytes(64 * 1024)
                .storeCapacityBytes(4L * 1024 * 1024));
            nodes.add(node);
            closeables.add(node);
        }
        final FerriteClient client = FerriteClient.connect(
            new ClientContext().group(topology.ingressEndpoints(0)));
        closeables.add(client);
        for (int i = 0; i < 1000; i++)
        {
            client.put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[100]);
        }
        awaitTrue(() -> nodes.stream().allMatch(n -> n.service(0).snapshots() > 0), "no member took a snapshot");

        final StandbyBackup standby = StandbyBackup.launch(
            topology, 0, "127.0.0.1", new File(tempDir, "standby"), TimeUnit.SECONDS.toNanos(1),
            Throwable::printStackTrace);
        closeables.add(standby);
        awaitTrue(() -> standby.liveLogPosition() > 0, "standby never followed the live log: state " +
            standby.state());
        final long before = standby.liveLogPosition();
        for (int i = 0; i < 200; i++)
        {
            client.put(("after-" + i).getBytes(StandardCharsets.UTF_8), new byte[100]);
        }
        awaitTrue(() -> standby.liveLogPosition() > before, "standby live log position did not advance past " +
            before + " (state " + standby.state() + ")");
        awaitTrue(() -> hasSnapshot(standby.clusterDir()), "standby recording log has no snapshot");
    }

    private static boolean hasSnapshot(final File clusterDir)
    {
        if (!new File(clusterDir, RecordingLog.RECORDING_LOG_FILE_NAME).exists())
        {
            return false;
        }
        try (RecordingLog log = new RecordingLog(clusterDir, false))
        {
            return log.entries().stream().anyMatch(e -> RecordingLog.ENTRY_TYPE_SNAPSHOT == e.type);
        }
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition, final String message)
    {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail(message);
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
