package io.ferrite.engine;

/**
 * What opening a store does when its files show it was not closed cleanly (the process died while it was open).
 */
public enum RecoveryMode
{
    /**
     * Verify every entry record against its data block (owner, lengths, key hash, expiry) and rebuild the index,
     * policy lists, free lists and counters from the records that pass. Entries that fail are dropped; no wrong
     * value is ever served. Recency and frequency order is reset (entries are re-inserted in table order).
     */
    REBUILD,

    /**
     * Start empty, keeping the files' geometry.
     */
    DISCARD,

    /**
     * Refuse to open, with a {@link StoreCorruptedException} naming the store.
     */
    REJECT
}
