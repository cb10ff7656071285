package io.ferrite.replication.perf;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.replication.FerriteClusteredService;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.ReplicaNode;
import io.ferrite.replication.ReplicaNodeContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Measures how long a snapshot of N entries (16-byte keys, 100-byte values) blocks a member's service and how
 * big it is. One member, in process: each member of a group takes the same snapshot of the same state, so one
 * suffices. Tag "perf"; sizes from {@code -Dferrite.snapshot.entries=1000000,10000000}.
 */
@Tag("perf")
class SnapshotMeasurement
{
    @TempDir
    File tempDir;

    @Test
    @Timeout(3600)
    void measureSnapshot() throws Exception
    {
        for (final String size : System.getProperty("ferrite.snapshot.entries", "1000000").split(","))
        {
            measure(Integer.parseInt(size.trim()));
        }
    }

    private void measure(final int entries) throws Exception
    {
        final GroupTopology topology = GroupTopology.local(1, 11000);
        final long capacity = Math.max(64L << 20, entries * 300L);
        try (ReplicaNode node = ReplicaNode.launch(new ReplicaNodeContext()
            .memberId(0)
            .topology(topology)
            .baseDir(new File(tempDir, "snapshot-" + entries))
            .deleteOnStart(true)
            .snapshotLogBytes(0)
            .storeCapacityBytes(capacity)
            .storeMaxEntries(entries + entries / 10));
            FerriteClient client = FerriteClient.connect(new ClientContext()
                .group(topology.ingressEndpoints(0))
                .requestTimeoutNs(TimeUnit.SECONDS.toNanos(60))))
        {
            final long fillStart = System.nanoTime();
            final byte[] value = new byte[100];
            final List<CompletableFuture<?>> batch = new ArrayList<>();
            for (int i = 0; i < entries; i++)
            {
                final byte[] key = String.format("key-%012d", i).getBytes();
                batch.add(client.putAsync(key, value));
                if (batch.size() == 200)
                {
                    batch.forEach(CompletableFuture::join);
                    batch.clear();
                }
            }
            batch.forEach(CompletableFuture::join);
            final double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
            final FerriteClusteredService service = node.service(0);
            final long before = service.snapshots();
            while (!node.requestSnapshot(0))
            {
                Thread.sleep(10);
            }
            final long deadline = System.currentTimeMillis() + 600_000;
            while (service.snapshots() == before && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(10);
            }
            System.out.printf("SNAPSHOT entries=%d stored=%d fill=%.1fs (%.0f puts/s) snapshot=%.1f ms " +
                "bytes=%d (%.1f B/entry)%n", entries, service.lastSnapshotEntries(), fillSeconds,
                entries / fillSeconds, service.lastSnapshotNs() / 1e6, service.lastSnapshotBytes(),
                (double)service.lastSnapshotBytes() / Math.max(1, service.lastSnapshotEntries()));
        }
    }
}
