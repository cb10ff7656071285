package io.ferrite.replication.datastore;

/**
 * System properties and defaults of the datastore policies and of the JDBC datastore.
 * <b>Note:</b> stateless.
 */
public final class DataStoreConfiguration
{
    /**
     * JDBC URL of the backing database, the same for every member of a group, or {@value #EMBEDDED_JDBC_URL}: this
     * process starts the bundled PostgreSQL once ({@link EmbeddedDatabase#shared()}, data in a temporary directory,
     * gone with the process) and every member it hosts uses it. That suits members that all run in one process
     * ({@code ferrite cluster start}, the demo, tests); a member process of its own would get a database of its own,
     * so {@code ReplicaNodeMain} refuses it.
     */
    public static final String JDBC_URL_PROP_NAME = "ferrite.replication.datastore.jdbc.url";
    public static final String JDBC_URL_DEFAULT = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String EMBEDDED_JDBC_URL = "embedded";

    public static final String USER_PROP_NAME = "ferrite.replication.datastore.user";
    public static final String USER_DEFAULT = "postgres";

    public static final String PASSWORD_PROP_NAME = "ferrite.replication.datastore.password";
    public static final String PASSWORD_DEFAULT = "";

    public static final String TABLE_PROP_NAME = "ferrite.replication.datastore.table";
    public static final String TABLE_DEFAULT = "ferrite_entries";

    public static final String POOL_SIZE_PROP_NAME = "ferrite.replication.datastore.pool.size";
    public static final int POOL_SIZE_DEFAULT = 4;

    public static final String CONNECT_TIMEOUT_MS_PROP_NAME = "ferrite.replication.datastore.connect.timeout.ms";
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 1000;

    public static final String STATEMENT_TIMEOUT_S_PROP_NAME = "ferrite.replication.datastore.statement.timeout.s";
    public static final int STATEMENT_TIMEOUT_S_DEFAULT = 2;

    /** Read policy of a group: {@code none} or {@code read-through}. */
    public static final String READ_POLICY_PROP_NAME = "ferrite.replication.datastore.read.policy";
    public static final String READ_POLICY_DEFAULT = "none";

    /** Write policy of a group: {@code none}, {@code write-through} or {@code write-behind}. */
    public static final String WRITE_POLICY_PROP_NAME = "ferrite.replication.datastore.write.policy";
    public static final String WRITE_POLICY_DEFAULT = "none";

    /** How long a read-through caller waits for the load before it gets a timeout error. */
    public static final String LOAD_TIMEOUT_MS_PROP_NAME = "ferrite.replication.datastore.load.timeout.ms";
    public static final long LOAD_TIMEOUT_MS_DEFAULT = 3000;

    /** Write-behind: most keys pending (written to the cache, not yet to the database) before writes are refused. */
    public static final String PENDING_MAX_ENTRIES_PROP_NAME = "ferrite.replication.datastore.pending.max.entries";
    public static final int PENDING_MAX_ENTRIES_DEFAULT = 100_000;

    /** Write-behind: most bytes (keys + values) pending before writes are refused. */
    public static final String PENDING_MAX_BYTES_PROP_NAME = "ferrite.replication.datastore.pending.max.bytes";
    public static final long PENDING_MAX_BYTES_DEFAULT = 64L * 1024 * 1024;

    /** Write-behind: how long a write stays pending before it is flushed (more coalescing if longer). */
    public static final String WRITE_DELAY_MS_PROP_NAME = "ferrite.replication.datastore.write.delay.ms";
    public static final long WRITE_DELAY_MS_DEFAULT = 100;

    /** Write-behind: most records in one database batch. */
    public static final String BATCH_SIZE_PROP_NAME = "ferrite.replication.datastore.batch.size";
    public static final int BATCH_SIZE_DEFAULT = 500;

    /** Write-behind: longest wait between retries while the database is down (backoff doubles up to it). */
    public static final String RETRY_MAX_MS_PROP_NAME = "ferrite.replication.datastore.retry.max.ms";
    public static final long RETRY_MAX_MS_DEFAULT = 2000;

    private DataStoreConfiguration()
    {
    }

    /**
     * Refuse {@link #EMBEDDED_JDBC_URL} in a process that hosts one member of its groups (the others, in processes of
     * their own, would each start another database) while a datastore policy is on.
     *
     * @throws IllegalArgumentException if so, saying what to do instead.
     */
    public static void refuseEmbeddedForOneMemberProcess()
    {
        if (EMBEDDED_JDBC_URL.equals(jdbcUrl()) && new DataStorePolicyContext().conclude().enabled())
        {
            throw new IllegalArgumentException(JDBC_URL_PROP_NAME + "=" + EMBEDDED_JDBC_URL + " starts a database " +
                "inside this member's process, and the group's other members, in processes of their own, would each " +
                "use another: give every member the JDBC URL of one database, or run the members in one process " +
                "(ferrite cluster start)");
        }
    }

    public static String jdbcUrl()
    {
        return System.getProperty(JDBC_URL_PROP_NAME, JDBC_URL_DEFAULT);
    }

    public static String user()
    {
        return System.getProperty(USER_PROP_NAME, USER_DEFAULT);
    }

    public static String password()
    {
        return System.getProperty(PASSWORD_PROP_NAME, PASSWORD_DEFAULT);
    }

    public static String table()
    {
        return System.getProperty(TABLE_PROP_NAME, TABLE_DEFAULT);
    }

    public static int poolSize()
    {
        return Integer.getInteger(POOL_SIZE_PROP_NAME, POOL_SIZE_DEFAULT);
    }

    public static long connectTimeoutMs()
    {
        return Long.getLong(CONNECT_TIMEOUT_MS_PROP_NAME, CONNECT_TIMEOUT_MS_DEFAULT);
    }

    public static int statementTimeoutSeconds()
    {
        return Integer.getInteger(STATEMENT_TIMEOUT_S_PROP_NAME, STATEMENT_TIMEOUT_S_DEFAULT);
    }

    public static String readPolicy()
    {
        return System.getProperty(READ_POLICY_PROP_NAME, READ_POLICY_DEFAULT);
    }

    public static String writePolicy()
    {
        return System.getProperty(WRITE_POLICY_PROP_NAME, WRITE_POLICY_DEFAULT);
    }

    public static long loadTimeoutMs()
    {
        return Long.getLong(LOAD_TIMEOUT_MS_PROP_NAME, LOAD_TIMEOUT_MS_DEFAULT);
    }

    public static int pendingMaxEntries()
    {
        return Integer.getInteger(PENDING_MAX_ENTRIES_PROP_NAME, PENDING_MAX_ENTRIES_DEFAULT);
    }

    public static long pendingMaxBytes()
    {
        return Long.getLong(PENDING_MAX_BYTES_PROP_NAME, PENDING_MAX_BYTES_DEFAULT);
    }

    public static long writeDelayMs()
    {
        return Long.getLong(WRITE_DELAY_MS_PROP_NAME, WRITE_DELAY_MS_DEFAULT);
    }

    public static int batchSize()
    {
        return Integer.getInteger(BATCH_SIZE_PROP_NAME, BATCH_SIZE_DEFAULT);
    }

    public static long retryMaxMs()
    {
        return Long.getLong(RETRY_MAX_MS_PROP_NAME, RETRY_MAX_MS_DEFAULT);
    }
}
