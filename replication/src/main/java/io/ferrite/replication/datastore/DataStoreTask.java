package io.ferrite.replication.datastore;

import java.util.List;

/**
 * One database call the leader's service hands to its {@link DataStoreAgent}, and, filled in by the agent, its
 * outcome. Handed over through a queue in each direction (the queues' ordering makes the fields visible).
 * <b>Note:</b> owned by one thread at a time.
 */
final class DataStoreTask
{
    static final int LOAD = 1;
    static final int WRITE = 2;
    static final int FLUSH = 3;

    final int type;
    final byte[] key;
    final byte[] value;
    final long version;
    final long databaseVersion;
    final long ttlMs;
    final long clientId;
    final long correlationId;
    final long clusterSessionId;
    final List<DataStoreRecord> records;
    final long submittedNs;
    byte[] loaded;
    DataStoreException failure;
    long completedNs;

    private DataStoreTask(
        final int type, final byte[] key, final byte[] value, final long version, final long ttlMs,
        final long clientId, final long correlationId, final long clusterSessionId,
        final List<DataStoreRecord> records, final long databaseVersion)
    {
        this.type = type;
        this.key = key;
        this.value = value;
        this.version = version;
        this.databaseVersion = databaseVersion;
        this.ttlMs = ttlMs;
        this.clientId = clientId;
        this.correlationId = correlationId;
        this.clusterSessionId = clusterSessionId;
        this.records = records;
        this.submittedNs = System.nanoTime();
    }

    /**
     * Read-through load of {@code key}, started by the get at log position {@code startPosition}.
     */
    static DataStoreTask load(final byte[] key, final long startPosition, final long ttlMs)
    {
        return new DataStoreTask(LOAD, key, null, startPosition, ttlMs, 0, 0, 0, null, 0);
    }

    /**
     * Write-through of one client write (value {@code null}: a delete) at log position {@code version}, written to
     * the database at {@code databaseVersion}.
     */
    static DataStoreTask write(
        final byte[] key, final byte[] value, final long version, final long databaseVersion, final long ttlMs,
        final long clientId, final long correlationId, final long clusterSessionId)
    {
        return new DataStoreTask(WRITE, key, value, version, ttlMs, clientId, correlationId, clusterSessionId, null,
            databaseVersion);
    }

    /**
     * Write-behind flush of a batch.
     */
    static DataStoreTask flush(final List<DataStoreRecord> records)
    {
        return new DataStoreTask(FLUSH, null, null, 0, 0, 0, 0, 0, records, 0);
    }
}
