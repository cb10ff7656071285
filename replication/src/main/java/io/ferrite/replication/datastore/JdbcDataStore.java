package io.ferrite.replication.datastore;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DataStore} over JDBC (PostgreSQL) with a HikariCP pool: one table of
 * {@code key bytea primary key, value bytea, version bigint, updated_at timestamptz}, created if absent.
 * <p>
 * Writes are batched upserts, {@code INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE table.version <
 * excluded.version}, in one transaction per batch: a record older than (or as old as) the row is skipped, so
 * retries and flushes by a deposed leader are harmless. Deletes write a tombstone ({@code value} null) under the same
 * guard. Failures map to {@link DataStoreException.Reason}: no connection is {@code UNAVAILABLE}, a statement or
 * socket deadline is {@code TIMEOUT}, anything the server rejects is {@code REFUSED}.
 * <b>Note:</b> thread-safe (the pool hands each call its own connection).
 */
public final class JdbcDataStore implements DataStore
{
    private final HikariDataSource pool;
    private final String table;
    private final int statementTimeoutSeconds;
    private final String upsertSql;
    private final String selectSql;
    private volatile boolean tableReady;

    private JdbcDataStore(final JdbcDataStoreContext ctx)
    {
        this.table = ctx.table();
        this.statementTimeoutSeconds = ctx.statementTimeoutSeconds();
        final HikariConfig config = new HikariConfig();
        config.setJdbcUrl(ctx.jdbcUrl());
        config.setUsername(ctx.user());
        config.setPassword(ctx.password());
        config.setMaximumPoolSize(ctx.poolSize());
        config.setMinimumIdle(1);
        config.setConnectionTimeout(ctx.connectTimeoutMs());
        config.setValidationTimeout(Math.max(250, ctx.connectTimeoutMs() / 2));
        config.setInitializationFailTimeout(-1);
        config.setAutoCommit(false);
        config.setPoolName("ferrite-datastore-" + table);
        config.addDataSourceProperty("connectTimeout", Math.max(1, (int)(ctx.connectTimeoutMs() / 1000)));
        config.addDataSourceProperty("socketTimeout", ctx.statementTimeoutSeconds() + 1);
        config.addDataSourceProperty("tcpKeepAlive", true);
        this.pool = new HikariDataSource(config);
        this.upsertSql = "INSERT INTO " + table + " AS t (key, value, version, updated_at) VALUES (?, ?, ?, now()) " +
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, " +
            "updated_at = excluded.updated_at WHERE t.version < excluded.version";
        this.selectSql = "SELECT value FROM " + table + " WHERE key = ?";
    }

    /**
     * Open a pool and, unless told not to, create the table; a database that is down does not fail the open (the
     * table is created by the first call that reaches it), so a node starts whatever the database's state.
     *
     * @throws DataStoreException if the database refuses to create the table.
     */
    public static JdbcDataStore open(final JdbcDataStoreContext ctx) throws DataStoreException
    {
        ctx.conclude();
        final JdbcDataStore store = new JdbcDataStore(ctx);
        store.tableReady = !ctx.createTable();
        try
        {
            store.ensureTable();
        }
        catch (final DataStoreException ex)
        {
            if (DataStoreException.Reason.REFUSED == ex.reason())
            {
                store.close();
                throw ex;
            }
        }
        return store;
    }

    private void ensureTable() throws DataStoreException
    {
        if (tableReady)
        {
            return;
        }
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement())
        {
            statement.setQueryTimeout(statementTimeoutSeconds);
            final int dot = table.indexOf('.');
            if (dot > 0)
            {
                statement.execute("CREATE SCHEMA IF NOT EXISTS " + table.substring(0, dot));
            }
            statement.execute("CREATE TABLE IF NOT EXISTS " + table + " (key bytea PRIMARY KEY, value bytea, " +
                "version bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
            connection.commit();
            tableReady = true;
        }
        catch (final SQLException ex)
        {
            throw translate("create table " + table, ex);
        }
    }

    public String table()
    {
        return table;
    }

    public byte[] load(final byte[] key) throws DataStoreException
    {
        ensureTable();
        try (Connection connection = pool.getConnection(); PreparedStatement select = connection.prepareStatement(
            selectSql))
        {
            select.setQueryTimeout(statementTimeoutSeconds);
            select.setBytes(1, key);
            final byte[] value;
            try (ResultSet rows = select.executeQuery())
            {
                value = rows.next() ? rows.getBytes(1) : null;
            }
            connection.commit();
            return value;
        }
        catch (final SQLException ex)
        {
            throw translate("load", ex);
        }
    }

    public byte[][] loadAll(final List<byte[]> keys) throws DataStoreException
    {
        ensureTable();
        final byte[][] values = new byte[keys.size()][];
        if (keys.isEmpty())
        {
            return values;
        }
        try (Connection connection = pool.getConnection(); PreparedStatement select = connection.prepareStatement(
            "SELECT key, value FROM " + table + " WHERE key = ANY (?)"))
        {
            select.setQueryTimeout(statementTimeoutSeconds);
            select.setArray(1, connection.createArrayOf("bytea", keys.toArray(new byte[0][])));
            final Map<ByteKey, byte[]> found = new HashMap<>();
            try (ResultSet rows = select.executeQuery())
            {
                while (rows.next())
                {
                    found.put(new ByteKey(rows.getBytes(1)), rows.getBytes(2));
                }
            }
            connection.commit();
            for (int i = 0; i < values.length; i++)
            {
                values[i] = found.get(new ByteKey(keys.get(i)));
            }
            return values;
        }
        catch (final SQLException ex)
        {
            throw translate("load " + keys.size() + " keys", ex);
        }
    }

    public int storeAll(final List<DataStoreRecord> records) throws DataStoreException
    {
        ensureTable();
        if (records.isEmpty())
        {
            return 0;
        }
        try (Connection connection = pool.getConnection(); PreparedStatement upsert = connection.prepareStatement(
            upsertSql))
        {
            upsert.setQueryTimeout(statementTimeoutSeconds);
            for (final DataStoreRecord record : records)
            {
                upsert.setBytes(1, record.key());
                upsert.setBytes(2, record.value());
                upsert.setLong(3, record.version());
                upsert.addBatch();
            }
            final int[] counts;
            try
            {
                counts = upsert.executeBatch();
                connection.commit();
            }
            catch (final SQLException ex)
            {
                rollbackQuietly(connection);
                throw ex;
            }
            int applied = 0;
            for (final int count : counts)
            {
                applied += count > 0 || Statement.SUCCESS_NO_INFO == count ? 1 : 0;
            }
            return applied;
        }
        catch (final SQLException ex)
        {
            throw translate("store " + records.size() + " records", ex);
        }
    }

    public int deleteAll(final List<DataStoreRecord> deletes) throws DataStoreException
    {
        for (final DataStoreRecord record : deletes)
        {
            if (!record.isDelete())
            {
                throw new IllegalArgumentException("deleteAll takes records with a null value");
            }
        }
        return storeAll(deletes);
    }

    public void close()
    {
        pool.close();
    }

    private static void rollbackQuietly(final Connection connection)
    {
        try
        {
            connection.rollback();
        }
        catch (final SQLException ignore)
        {
            // the connection is broken; the pool discards it and the transaction dies with it
        }
    }

    /**
     * Map a JDBC failure to the reason a caller can act on (SQLState class 08 is a connection failure, 57014 a
     * cancelled statement, 53/57P a server that cannot serve now).
     */
    static DataStoreException translate(final String what, final SQLException ex)
    {
        final String state = null == ex.getSQLState() ? "" : ex.getSQLState();
        final DataStoreException.Reason reason;
        if (ex instanceof SQLTimeoutException || "57014".equals(state) || isSocketTimeout(ex))
        {
            reason = DataStoreException.Reason.TIMEOUT;
        }
        else if (ex instanceof SQLTransientConnectionException || state.startsWith("08") ||
            state.startsWith("53") || state.startsWith("57P"))
        {
            reason = DataStoreException.Reason.UNAVAILABLE;
        }
        else
        {
            reason = DataStoreException.Reason.REFUSED;
        }
        return new DataStoreException(reason, what + " failed (SQLState " + state + "): " + ex.getMessage(), ex);
    }

    private static boolean isSocketTimeout(final Throwable ex)
    {
        for (Throwable t = ex; null != t; t = t.getCause())
        {
            if (t instanceof java.net.SocketTimeoutException)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * How long the pool waits for a connection, for callers that size their own deadlines.
     */
    long connectTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(pool.getConnectionTimeout());
    }
}
