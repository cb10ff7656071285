package io.ferrite.replication.datastore;

/**
 * One versioned write to a {@link DataStore}: a key, its value ({@code null} for a delete) and the version that
 * orders it against every other write of the key.
 *
 * @param key     the key's bytes (not copied).
 * @param value   the value's bytes (not copied), or {@code null} for a tombstone.
 * @param version greater for later writes of the same key (Ferrite: the Raft log position).
 */
public record DataStoreRecord(byte[] key, byte[] value, long version)
{
    public DataStoreRecord
    {
        if (null == key || 0 == key.length)
        {
            throw new IllegalArgumentException("a record needs a non-empty key");
        }
    }

    /**
     * @return whether this record deletes its key.
     */
    public boolean isDelete()
    {
        return null == value;
    }
}
