package io.ferrite.replication.datastore;

import java.util.List;

/**
 * The backing database of a cache group: loads keys, upserts versioned records and deletes them, each call
 * either succeeding or failing with a {@link DataStoreException} that says why (unavailable, timed out, refused).
 * <p>
 * Every write carries a version (Ferrite uses the Raft log position of the command that made it, which only grows
 * for a key); an implementation must never let a record replace one with an equal or higher version, so a late or
 * repeated write (a retry, a flush by a deposed leader) can never overwrite a newer one. A delete is a write too:
 * it leaves a tombstone at its version, which {@link #load} reports as absent. Shaped like Hazelcast's
 * {@code MapStore}/{@code MapLoader} and Caffeine's bulk {@code CacheLoader}, and as small.
 * <b>Note:</b> implementations must be thread-safe; Ferrite calls them from one agent thread per group.
 */
public interface DataStore extends AutoCloseable
{
    /**
     * Load one key.
     *
     * @return its value, or {@code null} if the database has none (or a tombstone).
     * @throws DataStoreException if the database could not answer.
     */
    byte[] load(byte[] key) throws DataStoreException;

    /**
     * Load several keys in one round trip.
     *
     * @return the values in the order of {@code keys}, {@code null} where absent.
     * @throws DataStoreException if the database could not answer.
     */
    byte[][] loadAll(List<byte[]> keys) throws DataStoreException;

    /**
     * Upsert a batch atomically (all or none); a record whose key already holds an equal or higher version is
     * skipped, and a record with a {@code null} value writes a tombstone (a versioned delete).
     *
     * @return how many records were applied (the rest were older than what the database held).
     * @throws DataStoreException if the batch was not committed (or its outcome is unknown: see the reason).
     */
    int storeAll(List<DataStoreRecord> records) throws DataStoreException;

    /**
     * Delete keys at the given versions (tombstones, so an older upsert arriving later cannot resurrect them).
     *
     * @return how many deletes were applied.
     * @throws DataStoreException if the batch was not committed.
     */
    int deleteAll(List<DataStoreRecord> deletes) throws DataStoreException;

    /**
     * Release connections; idempotent.
     */
    void close();
}
