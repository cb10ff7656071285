package io.ferrite.engine;

/**
 * A point-in-time copy of a store's counters.
 *
 * @param size             live entries.
 * @param liveBytes        bytes of live data blocks (headers, keys, values, padding).
 * @param hits             lookups that found a live entry.
 * @param misses           lookups that found nothing (or an expired entry).
 * @param puts             puts that stored a value.
 * @param deletes          deletes that removed an entry.
 * @param evictions        entries removed to make room.
 * @param expirations      entries removed because their TTL passed.
 * @param cleanedSegments  log segments compacted by the cleaner.
 * @param relocatedBytes   bytes moved by the cleaner.
 * @param rejected         puts refused (too large, bad key).
 */
public record StoreStats(
    long size,
    long liveBytes,
    long hits,
    long misses,
    long puts,
    long deletes,
    long evictions,
    long expirations,
    long cleanedSegments,
    long relocatedBytes,
    long rejected)
{
    /**
     * Hits over lookups, or 0 with no lookups.
     */
    public double hitRatio()
    {
        final long lookups = hits + misses;
        return 0 == lookups ? 0 : (double)hits / lookups;
    }
}
