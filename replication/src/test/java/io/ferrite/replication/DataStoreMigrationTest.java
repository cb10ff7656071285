package io.ferrite.replication;

import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteClient;
import io.ferrite.codec.PartitionHash;
import io.ferrite.replication.datastore.DataStoreException;
import io.ferrite.replication.datastore.DataStoreGroup;
import io.ferrite.replication.datastore.DataStorePolicyContext;
import io.ferrite.replication.datastore.DataStoreStatus;
import io.ferrite.replication.datastore.JdbcDataStore;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.ferrite.replication.datastore.DataStoreGroup.await;
import static io.ferrite.replication.datastore.DataStoreGroup.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Write-behind across a partition migration (two groups of three members in this JVM, both flushing to one table):
 * the database must end with the last acknowledged value of a key whose partition moved.
 * <p>
 * This failed while a write's database version was its group's log position: two groups' positions are not
 * comparable, so a key written on the source at a high position and then on the target (whose log is shorter) got a
 * lower version on the target, and the database's version guard refused the newer write. Versions now carry the
 * group's map epoch in their high bits ({@link io.ferrite.replication.datastore.DataStorePolicy#databaseVersion}).
 */
@Tag("system")
class DataStoreMigrationTest
{
    private static final int PARTITIONS = 16;
    private static final int GROUPS = 2;

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
    void shouldKeepTheLastAcknowledgedValueOfAKeyWhosePartitionMoved() throws Exception
    {
        final DataStoreGroup db = new DataStoreGroup("migration");
        closeables.add(db);
        db.createTable();
        final GroupTopology topology = GroupTopology.local(3, 31000);
        for (int m = 0; m < 3; m++)
        {
            closeables.add(ReplicaNode.launch(new ReplicaNodeContext()
                .memberId(m)
                .topology(topology)
                .groups(0, 1)
                .partitionCount(PARTITIONS)
                .clusterGroupCount(GROUPS)
                .baseDir(new File(tempDir, "node-" + m))
                .deleteOnStart(true)
                .errorHandler(errors::add)
                .storeCapacityBytes(8L * 1024 * 1024)
                .dataStorePolicy(new DataStorePolicyContext()
                    .writePolicy(DataStorePolicyContext.WritePolicy.WRITE_BEHIND).writeDelayMs(0).conclude())
                .dataStoreFactory(g -> open(db))));
        }
        final FerriteClient client = FerriteClient.connect(new ClientContext()
            .cluster(topology.ingressEndpoints(0), topology.ingressEndpoints(1))
            .requestTimeout(Duration.ofSeconds(20)));
        closeables.add(client);

        int moving = -1;
        for (int p = 0; p < PARTITIONS && moving < 0; p++)
        {
            if (0 == client.ownerOfPartition(p))
            {
                moving = p;
            }
        }
        final String key = keyOf(moving, "moved-");
        final String other = keyOf(otherPartitionOfGroup0(client, moving), "stays-");
        // group 0's log runs well ahead of group 1's
        for (int i = 0; i < 2000; i++)
        {
            client.put(bytes(other), bytes("filler-" + i));
        }
        client.put(bytes(key), bytes("written-on-the-source"));
        await("the source's write in the database", 30_000, () -> "written-on-the-source".equals(row(db, key)));

        try (ClusterAdmin admin = new ClusterAdmin(new String[]{ topology.ingressEndpoints(0),
            topology.ingressEndpoints(1) }, null, 10_000_000_000L))
        {
            admin.submitPlan(List.of(new PlannedMove(moving, 0, 1)));
            new PartitionMover(admin, 0, 64, 64 * 1024, new PartitionMover.ProgressListener()
            {
                public void onProgress(final MoveStatus move, final long queued, final long elapsedNs)
                {
                }

                public void onDone(final MoveStatus move, final long pauseNs)
                {
                }
            }).apply();
            assertEquals(1, admin.partitionMap().owner(moving), "the partition moved");
        }
        client.put(bytes(key), bytes("written-on-the-target"));
        await("group 1 to flush", 30_000, () -> 0 == leaderPending(topology, 1));
        assertEquals("written-on-the-target", row(db, key),
            "the database must hold the last acknowledged value of a moved key");
    }

    private static long leaderPending(final GroupTopology topology, final int group)
    {
        long pending = 0;
        for (final DataStoreStatus.MemberCounters m : DataStoreStatus.read(topology, group))
        {
            pending = Math.max(pending, m.counters().getOrDefault("pending-entries", 0L));
        }
        return pending;
    }

    private static String row(final DataStoreGroup db, final String key)
    {
        try
        {
            return db.contents().get(key);
        }
        catch (final SQLException ex)
        {
            return null;
        }
    }

    private static JdbcDataStore open(final DataStoreGroup db)
    {
        try
        {
            return JdbcDataStore.open(db.database().context(db.table()).connectTimeoutMs(500));
        }
        catch (final DataStoreException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static int otherPartitionOfGroup0(final FerriteClient client, final int not)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            if (p != not && 0 == client.ownerOfPartition(p))
            {
                return p;
            }
        }
        throw new AssertionError("group 0 owns one partition only");
    }

    private static String keyOf(final int partition, final String prefix)
    {
        for (int i = 0; ; i++)
        {
            if (PartitionHash.partition(bytes(prefix + i), PARTITIONS) == partition)
            {
                return prefix + i;
            }
        }
    }
}
