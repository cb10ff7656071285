package io.ferrite.replication.datastore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(120)
class JdbcDataStoreTest
{
    private final TestDatabase db = TestDatabase.get();
    private String table;
    private JdbcDataStore store;

    @BeforeEach
    void open() throws DataStoreException
    {
        table = db.freshTable("jdbc");
        store = JdbcDataStore.open(db.context(table));
    }

    @AfterEach
    void close()
    {
        store.close();
        db.drop(table);
    }

    private static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldLoadWhatWasStoredAndNullForAbsentKeys() throws DataStoreException
    {
        assertEquals(2, store.storeAll(List.of(new DataStoreRecord(b("a"), b("1"), 10),
            new DataStoreRecord(b("b"), b("2"), 11))));
        assertArrayEquals(b("1"), store.load(b("a")));
        assertNull(store.load(b("zz")), "a key never stored loads as null");
        final byte[][] values = store.loadAll(List.of(b("b"), b("zz"), b("a")));
        assertArrayEquals(b("2"), values[0]);
        assertNull(values[1]);
        assertArrayEquals(b("1"), values[2]);
    }

    @Test
    void shouldNeverLetAnOlderVersionOverwriteANewerOne() throws Exception
    {
        store.storeAll(List.of(new DataStoreRecord(b("k"), b("new"), 20)));
        assertEquals(0, store.storeAll(List.of(new DataStoreRecord(b("k"), b("old"), 19))),
            "an older version must be skipped");
        assertEquals(0, store.storeAll(List.of(new DataStoreRecord(b("k"), b("same"), 20))),
            "an equal version must be skipped (a retry)");
        assertArrayEquals(b("new"), store.load(b("k")));
        assertEquals(1, store.storeAll(List.of(new DataStoreRecord(b("k"), b("newer"), 21))));
        assertArrayEquals(b("newer"), store.load(b("k")));
        try (Connection connection = db.connect();
            ResultSet rows = connection.createStatement().executeQuery("SELECT version, updated_at FROM " + table))
        {
            rows.next();
            assertEquals(21, rows.getLong(1), "the version column holds the applied version");
            assertEquals(false, null == rows.getTimestamp(2), "updated_at is set");
        }
    }

    @Test
    void shouldKeepDeletesAsVersionedTombstones() throws DataStoreException
    {
        store.storeAll(List.of(new DataStoreRecord(b("k"), b("v"), 5)));
        assertEquals(1, store.deleteAll(List.of(new DataStoreRecord(b("k"), null, 6))));
        assertNull(store.load(b("k")), "a deleted key loads as absent");
        assertEquals(0, store.storeAll(List.of(new DataStoreRecord(b("k"), b("late"), 4))),
            "a write older than the delete must not resurrect the key");
        assertNull(store.load(b("k")));
        assertEquals(1, store.storeAll(List.of(new DataStoreRecord(b("k"), b("again"), 7))));
        assertArrayEquals(b("again"), store.load(b("k")));
    }

    @Test
    void shouldReportAnUnreachableDatabaseAsUnavailable() throws Exception
    {
        final int port;
        try (ServerSocket socket = new ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
        try (JdbcDataStore down = JdbcDataStore.open(new JdbcDataStoreContext()
            .jdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/test").user("postgres").table("t")
            .createTable(false).connectTimeoutMs(500)))
        {
            final DataStoreException ex = assertThrows(DataStoreException.class, () -> down.load(b("k")));
            assertEquals(DataStoreException.Reason.UNAVAILABLE, ex.reason(), ex.getMessage());
        }
    }

    @Test
    void shouldReportARejectedStatementAsRefusedAndWriteNothingOfTheBatch() throws Exception
    {
        try (Connection connection = db.connect())
        {
            connection.createStatement().execute("ALTER TABLE " + table + " ADD CONSTRAINT small CHECK " +
                "(value IS NULL OR length(value) < 10)");
        }
        final DataStoreException ex = assertThrows(DataStoreException.class, () -> store.storeAll(List.of(
            new DataStoreRecord(b("ok"), b("1"), 1), new DataStoreRecord(b("big"), b("0123456789abc"), 2))));
        assertEquals(DataStoreException.Reason.REFUSED, ex.reason(), ex.getMessage());
        assertNull(store.load(b("ok")), "a batch is all or nothing");
    }

    @Test
    void shouldReportAStatementPastItsDeadlineAsTimeout() throws Exception
    {
        try (Connection locker = db.connect())
        {
            locker.setAutoCommit(false);
            locker.createStatement().execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
            final DataStoreException ex = assertThrows(DataStoreException.class,
                () -> store.storeAll(List.of(new DataStoreRecord(b("k"), b("v"), 1))));
            assertEquals(DataStoreException.Reason.TIMEOUT, ex.reason(), ex.getMessage());
            locker.rollback();
        }
        assertNull(store.load(b("k")));
    }
}
