package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.replication.datastore.DataStoreException;
import io.ferrite.replication.datastore.DataStoreGroup;
import io.ferrite.replication.datastore.DataStorePolicyContext;
import io.ferrite.replication.datastore.DataStoreStatus;
import io.ferrite.replication.datastore.JdbcDataStore;
import io.ferrite.replication.datastore.LostWriteChecker;
import io.aeron.cluster.service.Cluster;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.ferrite.replication.datastore.DataStoreGroup.await;
import static io.ferrite.replication.datastore.DataStoreGroup.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Datastore policies on a three-member group in this JVM (quick checks; the process-level crash and outage tests
 * are {@link WriteBehindSystemTest} and {@link WriteThroughSystemTest}).
 */
@Timeout(120)
class DataStoreGroupTest
{
    @TempDir
    File dir;

    private DataStoreGroup db;
    private TestGroup group;
    private FerriteClient client;

    @AfterEach
    void close()
    {
        if (null != group)
        {
            group.errors.forEach(Throwable::printStackTrace);
        }
        CloseHelper.closeAll(client, group, db);
    }

    private void start(final boolean readThrough, final DataStorePolicyContext.WritePolicy write) throws Exception
    {
        db = new DataStoreGroup("ingroup");
        db.createTable();
        group = new TestGroup(dir, 26000, settings(readThrough, write));
        client = FerriteClient.connect(group.clientContext());
    }

    private Consumer<ReplicaNodeContext> settings(
        final boolean readThrough, final DataStorePolicyContext.WritePolicy write)
    {
        return ctx -> ctx
            .dataStorePolicy(new DataStorePolicyContext().readThrough(readThrough).writePolicy(write)
                .writeDelayMs(0).conclude())
            .dataStoreFactory(g -> open());
    }

    /**
     * The database through the test's proxy, so the test can cut it.
     */
    private JdbcDataStore open()
    {
        try
        {
            final String url = db.database().jdbcUrl().replace(":" + db.database().port() + "/", ":" +
                db.proxy().port() + "/");
            return JdbcDataStore.open(db.database().context(db.table()).jdbcUrl(url).connectTimeoutMs(500)
                .statementTimeoutSeconds(1));
        }
        catch (final DataStoreException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String text(final byte[] b)
    {
        return null == b ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadThroughAndWriteBehind() throws Exception
    {
        start(true, DataStorePolicyContext.WritePolicy.WRITE_BEHIND);
        db.insert("k", "from-db", 1);
        assertEquals("from-db", text(client.get(bytes("k"))), "a miss is loaded from the database");
        client.put(bytes("w"), bytes("cached"));
        await("the write-behind flush", 30_000, () ->
        {
            try
            {
                return "cached".equals(db.contents().get("w"));
            }
            catch (final java.sql.SQLException ex)
            {
                return false;
            }
        });
        // Aeron's election warnings (a slow member failing to join the live log on a loaded machine) are not errors
        assertEquals(List.of(), group.errors.stream().filter(e -> null == e.getMessage() ||
            !e.getMessage().startsWith("WARN")).toList(), "errors reached the error handler");
    }

    @Test
    void shouldFinishTheFlushAfterRestartingFromASnapshotTakenWithWritesPending() throws Exception
    {
        start(false, DataStorePolicyContext.WritePolicy.WRITE_BEHIND);
        final LostWriteChecker history = new LostWriteChecker();
        db.proxy().cut();
        for (int i = 0; i < 600; i++)
        {
            final String key = "snap-" + (i % 150);
            final String value = "v" + i;
            client.put(bytes(key), bytes(value));
            history.acknowledged(key, value);
        }
        await("every key pending while the database is down", 30_000, () -> leaderCounter("pending-entries") == 150);
        final ReplicaNode leader = leader();
        final String stats = DataStoreStatus.formatStats(DataStoreStatus.read(group.topology, 0),
            DataStoreStatus.read(group.topology, 0), 1_000_000_000L, (member, g) -> member == leader.memberId() ?
            "LEADER" : "FOLLOWER");
        assertTrue(stats.contains("group 0 member " + leader.memberId() + " (LEADER): pending 150 entries"),
            "ferrite stats --replicated shows the pending set: " + stats);
        final long snapshotsBefore = leader.service(0).snapshots();
        assertTrue(leader.requestSnapshot(0), "the leader takes the snapshot request");
        for (final ReplicaNode node : group.nodes)
        {
            await("member " + node.service(0).group() + " to take the snapshot", 30_000,
                () -> node.service(0).snapshots() > snapshotsBefore);
        }
        CloseHelper.closeAll(client);
        for (int m = 0; m < 3; m++)
        {
            CloseHelper.close(group.nodes[m]);
        }
        assertTrue(db.contents().keySet().stream().noneMatch(k -> k.startsWith("snap-")),
            "nothing reached the database before the restart");

        for (int m = 0; m < 3; m++)
        {
            final Consumer<ReplicaNodeContext> settings = settings(false, DataStorePolicyContext.WritePolicy
                .WRITE_BEHIND);
            group.launch(m, ctx -> settings.accept(ctx.deleteOnStart(false)));
        }
        await("a leader after the restart", 60_000, () -> null != group.leaderService());
        await("the pending set restored from the snapshot", 30_000, () -> leaderCounter("pending-entries") == 150);
        db.proxy().restore();
        await("the restarted group to finish the flush", 60_000, () -> 0 == leaderCounter("pending-entries"));
        final Map<String, String> contents = db.contents();
        assertEquals(List.of(), history.check(contents), "the database must hold the last acknowledged values");
        assertEquals(150, contents.keySet().stream().filter(k -> k.startsWith("snap-")).count());
        assertEquals(List.of(), group.errors.stream().filter(e -> null == e.getMessage() ||
            !e.getMessage().startsWith("WARN")).toList(), "errors reached the error handler");
    }

    private ReplicaNode leader()
    {
        for (final ReplicaNode node : group.nodes)
        {
            if (Cluster.Role.LEADER == node.service(0).role())
            {
                return node;
            }
        }
        throw new AssertionError("no leader");
    }

    private long leaderCounter(final String name)
    {
        for (final ReplicaNode node : group.nodes)
        {
            if (Cluster.Role.LEADER == node.service(0).role())
            {
                return DataStoreStatus.readMember(node.aeronDirectoryName(), 0).getOrDefault(name, -1L);
            }
        }
        return -1;
    }
}
