package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.codec.PartitionHash;
import io.ferrite.replication.datastore.DataStoreException;
import io.ferrite.replication.datastore.DataStoreGroup;
import io.ferrite.replication.datastore.DataStorePolicyContext;
import io.ferrite.replication.datastore.DataStoreStatus;
import io.ferrite.replication.datastore.JdbcDataStore;
import io.ferrite.replication.datastore.LostWriteChecker;
import io.ferrite.replication.datastore.TcpProxy;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static io.ferrite.replication.datastore.DataStoreGroup.await;
import static io.ferrite.replication.datastore.DataStoreGroup.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Write-behind across a partition migration (two groups of three members in this JVM, both flushing to one table):
 * the database must end with the last acknowledged value of a key whose partition moved.
 * <p>
 * This failed while a write's database version was its group's log position: two groups' positions are not
 * comparable, so a key written on the source at a high position and then on the target (whose log is shorter) got a
 * lower version on the target, and the database's version guard refused the newer write. Versions now carry the
 * group's map epoch in their high bits ({@link io.ferrite.replication.datastore.DataStorePolicy#databaseVersion}).
 * <p>
 * Also: writes still pending at the source (its database down) when their partition moves are flushed by the source
 * later, and that late flush of older values never overwrites the target's newer writes of the same keys.
 */
@Tag("system")
class DataStoreMigrationTest
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
    void shouldKeepTheLastAcknowledgedValueOfAKeyWhosePartitionMoved() throws Exception
    {
        final DataStoreGroup db = new DataStoreGroup("migration");
        closeables.add(db);
        db.createTable();
        final GroupTopology topology = GroupTopology.local(3, 31000);
        final FerriteClient client = launch(topology, (g) -> open(db, db.database().port()));

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

        TwoGroupCluster.move(topology, moving, 0, 1);
        client.put(bytes(key), bytes("written-on-the-target"));
        await("group 1 to flush", 30_000, () -> 0 == leaderPending(topology, 1));
        assertEquals("written-on-the-target", row(db, key),
            "the database must hold the last acknowledged value of a moved key");
    }

    @Test
    @Timeout(180)
    void shouldFlushWritesPendingAtTheSourceWithoutOverwritingTheTargetsNewerOnes() throws Exception
    {
        final DataStoreGroup db = database("pendingmove");
        final TcpProxy[] proxies = proxies(db);
        final GroupTopology topology = GroupTopology.local(3, 31000);
        final FerriteClient client = launch(topology, (g) -> open(db, proxies[g].port()));
        final int partition = 3;
        final int source = client.ownerOfPartition(partition);
        final int target = 1 - source;
        final List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < 60; i++)
        {
            if (PartitionHash.partition(bytes("wb-" + i), PARTITIONS) == partition)
            {
                keys.add("wb-" + i);
            }
        }
        final LostWriteChecker history = new LostWriteChecker();
        proxies[0].cut();
        proxies[1].cut();
        for (int round = 0; round < 3; round++)
        {
            for (final String key : keys)
            {
                final String value = "src-" + round + "-" + key;
                client.put(bytes(key), bytes(value));
                history.acknowledged(key, value);
            }
        }
        TwoGroupCluster.move(topology, partition, source, target);
        final List<String> rewritten = keys.subList(0, keys.size() / 2);
        for (final String key : rewritten)
        {
            client.put(bytes(key), bytes("dst-" + key));
            history.acknowledged(key, "dst-" + key);
        }
        assertEquals(target, client.groupOf(bytes(keys.get(0))), "the keys are now the target group's");

        proxies[target].restore();
        await("the target's flush of the rewritten keys", 60_000, () ->
            rewritten.stream().allMatch((k) -> ("dst-" + k).equals(row(db, k))));
        proxies[source].restore();
        await("both groups' pending sets to drain into the database", 60_000, () ->
            0 == leaderPending(topology, source) && 0 == leaderPending(topology, target));
        assertEquals(List.of(), history.check(db.contents()),
            "the database must hold the last acknowledged value of every key written before and after the move");
        assertEquals(List.of(), ErrorFilter.realErrors(errors), "errors reached the error handler");
    }

    @Test
    @Timeout(180)
    void shouldNotApplyAWriteThroughCommitThatLandsAfterItsPartitionLeft() throws Exception
    {
        final DataStoreGroup db = database("wtmove");
        final TcpProxy[] proxies = proxies(db);
        final GroupTopology topology = GroupTopology.local(3, 31000);
        final FerriteClient client = launch(topology, (g) -> open(db, proxies[g].port(), 30),
            DataStorePolicyContext.WritePolicy.WRITE_THROUGH);
        final int partition = 5;
        final int source = client.ownerOfPartition(partition);
        final int target = 1 - source;
        final String key = keyOf(partition, "wt-");
        client.put(bytes(key), bytes("v1"));

        // the source's database stalls with the second put's statement in flight: it commits after the move
        proxies[source].pause();
        final CompletableFuture<Boolean> late = client.putAsync(bytes(key), bytes("v2"));
        await("the source's write-through of v2 to be in flight", 30_000, () ->
            agentOutstanding(topology, source) > 0);
        TwoGroupCluster.move(topology, partition, source, target);
        proxies[source].resume();

        assertTrue(late.get(60, TimeUnit.SECONDS), "the put of v2 is acknowledged (resent to the new owner)");
        assertEquals("v2", text(client.get(bytes(key))),
            "a read after the acknowledgement sees v2: the late commit at the old owner must not be the only copy");
        await("v2 in the database", 30_000, () -> "v2".equals(row(db, key)));
        assertEquals(List.of(), ErrorFilter.realErrors(errors), "errors reached the error handler");
    }

    private DataStoreGroup database(final String name) throws Exception
    {
        final DataStoreGroup db = new DataStoreGroup(name);
        closeables.add(db);
        db.createTable();
        return db;
    }

    /**
     * One proxy to the database per group, so a test can stall or cut one group's database only.
     */
    private TcpProxy[] proxies(final DataStoreGroup db) throws Exception
    {
        final TcpProxy[] proxies = { new TcpProxy(db.database().port()), new TcpProxy(db.database().port()) };
        closeables.add(proxies[0]);
        closeables.add(proxies[1]);
        return proxies;
    }

    private static long agentOutstanding(final GroupTopology topology, final int group)
    {
        long most = 0;
        for (final DataStoreStatus.MemberCounters m : DataStoreStatus.read(topology, group))
        {
            most = Math.max(most, m.counters().getOrDefault("agent-outstanding", 0L));
        }
        return most;
    }

    private static String text(final byte[] value)
    {
        return null == value ? null : new String(value, StandardCharsets.UTF_8);
    }

    /**
     * Two groups of three members in this JVM, write-behind to the database {@code factory} opens per group, and a
     * client of the cluster.
     */
    private FerriteClient launch(final GroupTopology topology, final IntFunction<JdbcDataStore> factory)
    {
        return launch(topology, factory, DataStorePolicyContext.WritePolicy.WRITE_BEHIND);
    }

    private FerriteClient launch(
        final GroupTopology topology, final IntFunction<JdbcDataStore> factory,
        final DataStorePolicyContext.WritePolicy writePolicy)
    {
        return TwoGroupCluster.launch(topology, tempDir, PARTITIONS, errors, closeables, (ctx) -> ctx
            .dataStorePolicy(new DataStorePolicyContext().writePolicy(writePolicy).writeDelayMs(0).conclude())
            .dataStoreFactory(factory::apply));
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

    /**
     * The database at {@code port}: its own, or a proxy's the test can cut.
     */
    private static JdbcDataStore open(final DataStoreGroup db, final int port)
    {
        return open(db, port, 1);
    }

    private static JdbcDataStore open(final DataStoreGroup db, final int port, final int statementTimeoutSeconds)
    {
        try
        {
            return JdbcDataStore.open(db.database().context(db.table()).connectTimeoutMs(500)
                .statementTimeoutSeconds(statementTimeoutSeconds)
                .jdbcUrl(db.database().jdbcUrl().replace(":" + db.database().port() + "/", ":" + port + "/")));
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
