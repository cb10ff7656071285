package io.ferrite.replication;

import io.ferrite.client.FerriteException;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.replication.datastore.DataStoreGroup;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ferrite.replication.datastore.DataStoreGroup.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A three-member group (own processes) running read-through and write-through against PostgreSQL: an acknowledged
 * write is in the database when the call returns; a write the database refuses or does not answer in time gets an
 * error and its value is never served.
 */
@Tag("system")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class WriteThroughSystemTest
{
    @TempDir
    static File tempDir;

    private final GroupTopology topology = GroupTopology.local(3, 25000);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private DataStoreGroup group;
    private FerriteClient client;

    @BeforeAll
    void startGroup() throws Exception
    {
        group = new DataStoreGroup("writethrough");
        group.createTable();
        final Map<String, Object> properties = group.memberProperties("read-through", "write-through");
        for (int m = 0; m < 3; m++)
        {
            final MemberProcess member = new MemberProcess(m, topology, new File(tempDir, "member-" + m), 0);
            properties.forEach(member::property);
            closeables.add(member);
            member.start(true, 60_000);
        }
        client = FerriteClient.connect(new ClientContext()
            .group(topology.ingressEndpoints(0))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(15)));
        closeables.add(client);
    }

    @AfterAll
    void stopGroup()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        CloseHelper.quietClose(group);
    }

    private static String text(final byte[] bytes)
    {
        return null == bytes ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void shouldAcknowledgeAWriteOnlyOnceTheDatabaseHasIt() throws Exception
    {
        for (int i = 0; i < 20; i++)
        {
            client.put(bytes("k" + i), bytes("v" + i));
            assertEquals("v" + i, group.contents().get("k" + i), "an acknowledged write is in the database");
        }
        assertEquals("v3", text(client.get(bytes("k3"))));
        assertTrue(client.delete(bytes("k3")));
        assertNull(group.contents().get("k3"), "an acknowledged delete is in the database");
        assertNull(client.get(bytes("k3")), "a deleted key is not read through again");
    }

    @Test
    void shouldNeverServeAValueTheDatabaseRefused() throws Exception
    {
        client.put(bytes("refused"), bytes("small"));
        try (Connection connection = group.database().connect())
        {
            connection.createStatement().execute("ALTER TABLE " + group.table() + " ADD CONSTRAINT short_values " +
                "CHECK (value IS NULL OR length(value) < 12)");
        }
        final FerriteException ex = expectError(() -> client.put(bytes("refused"), bytes("far-too-long-a-value")));
        assertTrue(ex.getMessage().contains("DATASTORE_REFUSED"), "a refusal says so: " + ex.getMessage());
        assertEquals("small", text(client.get(bytes("refused"))), "the refused value must never be served");
        assertEquals("small", group.contents().get("refused"));
    }

    @Test
    void shouldGiveAnErrorAndServeNothingNewWhenTheDatabaseIsDownOrSlow() throws Exception
    {
        client.put(bytes("slow"), bytes("before"));
        try (Connection locker = group.database().connect())
        {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE " + group.table() + " IN ACCESS EXCLUSIVE MODE");
            final FerriteException ex = expectError(() -> client.put(bytes("slow"), bytes("during")));
            assertTrue(ex.getMessage().contains("DATASTORE_TIMEOUT"), "a slow database gives a timeout: " + ex);
            locker.rollback();
        }
        assertEquals("before", text(client.get(bytes("slow"))), "a timed-out write is not served");
        group.proxy().cut();
        try
        {
            final FerriteException ex = expectError(() -> client.put(bytes("slow"), bytes("down")));
            assertTrue(ex.getMessage().contains("DATASTORE_UNAVAILABLE") || ex.getMessage().contains(
                "DATASTORE_TIMEOUT"), "a database that is down gives a clear error: " + ex.getMessage());
        }
        finally
        {
            group.proxy().restore();
        }
        DataStoreGroup.await("the database to be reachable again", 30_000, () ->
        {
            try
            {
                return "before".equals(text(client.get(bytes("slow"))));
            }
            catch (final FerriteException e)
            {
                return false;
            }
        });
        assertEquals("before", group.contents().get("slow"));
    }

    private static FerriteException expectError(final Runnable call)
    {
        try
        {
            call.run();
        }
        catch (final FerriteException ex)
        {
            return ex;
        }
        throw new AssertionError("expected an error");
    }
}
