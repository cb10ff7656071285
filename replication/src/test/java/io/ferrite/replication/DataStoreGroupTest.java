package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.replication.datastore.DataStoreException;
import io.ferrite.replication.datastore.DataStoreGroup;
import io.ferrite.replication.datastore.DataStorePolicyContext;
import io.ferrite.replication.datastore.JdbcDataStore;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ferrite.replication.datastore.DataStoreGroup.await;
import static io.ferrite.replication.datastore.DataStoreGroup.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        group = new TestGroup(dir, 46000, ctx -> ctx
            .dataStorePolicy(new DataStorePolicyContext().readThrough(readThrough).writePolicy(write)
                .writeDelayMs(0).conclude())
            .dataStoreFactory(g -> open()));
        client = FerriteClient.connect(group.clientContext());
    }

    private JdbcDataStore open()
    {
        try
        {
            return JdbcDataStore.open(db.database().context(db.table()).connectTimeoutMs(500));
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
}
