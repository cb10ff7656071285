package io.ferrite.replication.datastore;

import java.util.regex.Pattern;

/**
 * Settings of a {@link JdbcDataStore}: where the database is, which table, pool size and deadlines. Defaults come
 * from {@link DataStoreConfiguration}; fluent setters, validated once by {@link #conclude()}; a context serves one
 * store only. <b>Note:</b> not thread-safe.
 */
public final class JdbcDataStoreContext
{
    private static final Pattern TABLE =
        Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

    private boolean concluded;
    private String jdbcUrl = DataStoreConfiguration.jdbcUrl();
    private String user = DataStoreConfiguration.user();
    private String password = DataStoreConfiguration.password();
    private String table = DataStoreConfiguration.table();
    private int poolSize = DataStoreConfiguration.poolSize();
    private long connectTimeoutMs = DataStoreConfiguration.connectTimeoutMs();
    private int statementTimeoutSeconds = DataStoreConfiguration.statementTimeoutSeconds();
    private boolean createTable = true;

    /**
     * Validate; a context concludes once.
     *
     * @throws IllegalStateException if already concluded, or a setting is missing or out of range.
     */
    public JdbcDataStoreContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded (a context serves one store)");
        }
        concluded = true;
        if (DataStoreConfiguration.EMBEDDED_JDBC_URL.equals(jdbcUrl))
        {
            final EmbeddedDatabase shared = EmbeddedDatabase.shared();
            jdbcUrl = shared.jdbcUrl();
            user = EmbeddedDatabase.USER;
            password = "";
        }
        if (null == jdbcUrl || !jdbcUrl.startsWith("jdbc:"))
        {
            throw new IllegalStateException("jdbcUrl must be a JDBC URL or '" +
                DataStoreConfiguration.EMBEDDED_JDBC_URL + "', was " + jdbcUrl + " (set " +
                DataStoreConfiguration.JDBC_URL_PROP_NAME + ")");
        }
        if (null == table || !TABLE.matcher(table).matches())
        {
            throw new IllegalStateException("table must be [schema.]name of letters, digits and _, was " + table);
        }
        if (poolSize < 1 || poolSize > 64)
        {
            throw new IllegalStateException("poolSize must be 1..64, was " + poolSize);
        }
        if (connectTimeoutMs < 250)
        {
            throw new IllegalStateException("connectTimeoutMs must be at least 250 (HikariCP), was " +
                connectTimeoutMs);
        }
        if (statementTimeoutSeconds < 1)
        {
            throw new IllegalStateException("statementTimeoutSeconds must be at least 1, was " +
                statementTimeoutSeconds);
        }
        return this;
    }

    public JdbcDataStoreContext jdbcUrl(final String jdbcUrl)
    {
        this.jdbcUrl = jdbcUrl;
        return this;
    }

    public String jdbcUrl()
    {
        return jdbcUrl;
    }

    public JdbcDataStoreContext user(final String user)
    {
        this.user = user;
        return this;
    }

    public String user()
    {
        return user;
    }

    public JdbcDataStoreContext password(final String password)
    {
        this.password = password;
        return this;
    }

    public String password()
    {
        return password;
    }

    /**
     * Table (optionally {@code schema.table}) with columns key bytea primary key, value bytea, version bigint,
     * updated_at timestamptz.
     */
    public JdbcDataStoreContext table(final String table)
    {
        this.table = table;
        return this;
    }

    public String table()
    {
        return table;
    }

    public JdbcDataStoreContext poolSize(final int poolSize)
    {
        this.poolSize = poolSize;
        return this;
    }

    public int poolSize()
    {
        return poolSize;
    }

    /**
     * How long to wait for a connection (pool and TCP connect) before a call fails as unavailable.
     */
    public JdbcDataStoreContext connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    /**
     * Deadline of one statement (and the socket read timeout), after which a call fails as timed out.
     */
    public JdbcDataStoreContext statementTimeoutSeconds(final int statementTimeoutSeconds)
    {
        this.statementTimeoutSeconds = statementTimeoutSeconds;
        return this;
    }

    public int statementTimeoutSeconds()
    {
        return statementTimeoutSeconds;
    }

    /**
     * Create the table (and its schema) if absent when the store opens; default true.
     */
    public JdbcDataStoreContext createTable(final boolean createTable)
    {
        this.createTable = createTable;
        return this;
    }

    public boolean createTable()
    {
        return createTable;
    }
}
