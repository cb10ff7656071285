package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.replication.datastore.DataStoreException;
import io.ferrite.replication.datastore.DataStoreGroup;
import io.ferrite.replication.datastore.DataStorePolicyContext;
import io.ferrite.replication.datastore.JdbcDataStore;

import java.io.File;

/**
 * A {@link TestGroup} running datastore policies against a {@link DataStoreGroup}'s database (through its proxy),
 * for measurements outside this package.
 */
public final class TestGroupAccess implements AutoCloseable
{
    private final TestGroup group;
    private final DataStoreGroup db;

    private TestGroupAccess(final TestGroup group, final DataStoreGroup db)
    {
        this.group = group;
        this.db = db;
    }

    public static TestGroupAccess start(
        final File dir, final int portBase, final DataStoreGroup db, final DataStorePolicyContext policy)
    {
        final String url = db.database().jdbcUrl().replace(":" + db.database().port() + "/",
            ":" + db.proxy().port() + "/");
        return new TestGroupAccess(new TestGroup(dir, portBase, ctx -> ctx
            .dataStorePolicy(policy)
            .dataStoreFactory(g ->
            {
                try
                {
                    return JdbcDataStore.open(db.database().context(db.table()).jdbcUrl(url).connectTimeoutMs(500));
                }
                catch (final DataStoreException ex)
                {
                    throw new IllegalStateException(ex);
                }
            })), db);
    }

    public FerriteClient client()
    {
        return FerriteClient.connect(group.clientContext());
    }

    /**
     * A datastore counter of the current leader (-1 if unknown).
     */
    public long counter(final String name)
    {
        for (final ReplicaNode node : group.nodes)
        {
            final java.util.Map<String, Long> counters = io.ferrite.replication.datastore.DataStoreStatus.readMember(
                node.aeronDirectoryName(), 0);
            final Long flushes = counters.get("flush-batches");
            if (null != flushes && isLeader(node))
            {
                return counters.getOrDefault(name, -1L);
            }
        }
        return -1;
    }

    private static boolean isLeader(final ReplicaNode node)
    {
        return node.service(0).role() == io.aeron.cluster.service.Cluster.Role.LEADER;
    }

    public void awaitDrained(final long timeoutMs)
    {
        DataStoreGroup.await("write-behind pending set to drain", timeoutMs, () -> 0 == counter("pending-entries"));
    }

    public void close()
    {
        group.close();
    }

    DataStoreGroup database()
    {
        return db;
    }
}
