package io.ferrite.replication.datastore;

import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.ReplicaNodeContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Test support for groups running datastore policies: the database (through a cuttable {@link TcpProxy}), the
 * system properties the members need, the table's contents and the members' datastore counters.
 */
public final class DataStoreGroup implements AutoCloseable
{
    private final TestDatabase db = TestDatabase.get();
    private final TcpProxy proxy;
    private final String table;

    public DataStoreGroup(final String test) throws IOException
    {
        this.proxy = new TcpProxy(db.port());
        this.table = db.freshTable(test);
    }

    public TcpProxy proxy()
    {
        return proxy;
    }

    public String table()
    {
        return table;
    }

    public TestDatabase database()
    {
        return db;
    }

    /**
     * System properties of a member: the database through the proxy, short deadlines, the given policies.
     */
    public Map<String, Object> memberProperties(final String readPolicy, final String writePolicy)
    {
        final Map<String, Object> p = new HashMap<>();
        p.put(DataStoreConfiguration.JDBC_URL_PROP_NAME, db.jdbcUrl().replace(":" + db.port() + "/", ":" +
            proxy.port() + "/"));
        p.put(DataStoreConfiguration.USER_PROP_NAME, "postgres");
        p.put(DataStoreConfiguration.TABLE_PROP_NAME, table);
        p.put(DataStoreConfiguration.READ_POLICY_PROP_NAME, readPolicy);
        p.put(DataStoreConfiguration.WRITE_POLICY_PROP_NAME, writePolicy);
        p.put(DataStoreConfiguration.CONNECT_TIMEOUT_MS_PROP_NAME, 500);
        p.put(DataStoreConfiguration.STATEMENT_TIMEOUT_S_PROP_NAME, 1);
        p.put(DataStoreConfiguration.LOAD_TIMEOUT_MS_PROP_NAME, 4000);
        p.put(DataStoreConfiguration.WRITE_DELAY_MS_PROP_NAME, 20);
        p.put(DataStoreConfiguration.BATCH_SIZE_PROP_NAME, 200);
        p.put(DataStoreConfiguration.RETRY_MAX_MS_PROP_NAME, 300);
        return p;
    }

    /**
     * Create the table the way the members would (so a test can seed rows before they start).
     */
    public void createTable() throws DataStoreException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try (JdbcDataStore store = JdbcDataStore.open(db.context(table).connectTimeoutMs(5000)))
            {
                store.load(new byte[]{ 0 });
                return;
            }
            catch (final DataStoreException ex)
            {
                if (DataStoreException.Reason.REFUSED == ex.reason() || System.nanoTime() > deadline)
                {
                    throw ex;
                }
            }
        }
    }

    public void insert(final String key, final String value, final long version) throws DataStoreException
    {
        try (JdbcDataStore store = JdbcDataStore.open(db.context(table).connectTimeoutMs(5000)))
        {
            store.storeAll(java.util.List.of(new DataStoreRecord(bytes(key), bytes(value), version)));
        }
    }

    /**
     * Every live row (tombstones left out) as text.
     */
    public Map<String, String> contents() throws SQLException
    {
        final Map<String, String> rows = new HashMap<>();
        try (Connection connection = db.connect();
            ResultSet rs = connection.createStatement().executeQuery("SELECT key, value FROM " + table +
                " WHERE value IS NOT NULL"))
        {
            while (rs.next())
            {
                rows.put(new String(rs.getBytes(1), StandardCharsets.UTF_8),
                    new String(rs.getBytes(2), StandardCharsets.UTF_8));
            }
        }
        return rows;
    }

    /**
     * The datastore counters of {@code member} of group 0.
     */
    public static Map<String, Long> counters(final GroupTopology topology, final int member)
    {
        return DataStoreStatus.readMember(
            ReplicaNodeContext.defaultAeronDirectoryName(topology.portBase(), member), 0);
    }

    public static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Poll with backoff until {@code condition} holds.
     *
     * @throws AssertionError naming {@code what} if it does not within the timeout.
     */
    public static void await(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long sleepMs = 1;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            try
            {
                Thread.sleep(sleepMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
            sleepMs = Math.min(100, sleepMs * 2);
        }
    }

    public void close()
    {
        proxy.close();
        db.drop(table);
    }
}
