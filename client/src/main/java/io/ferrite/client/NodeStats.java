package io.ferrite.client;

/**
 * A node's counters at the moment it answered a stats request.
 *
 * @param nodeInstanceId random id of this run of the node.
 * @param uptimeMs       time since the node started.
 * @param size           live entries.
 * @param liveBytes      bytes of live data blocks.
 * @param capacityBytes  the store's memory budget.
 * @param hits           lookups that found a live entry.
 * @param misses         lookups that found nothing.
 * @param puts           puts that stored a value.
 * @param deletes        deletes and invalidations that removed an entry.
 * @param evictions      entries removed to make room.
 * @param expirations    entries removed because their TTL passed.
 * @param rejected       puts the store refused.
 * @param requests       requests served.
 * @param errors         error responses sent.
 * @param sessions       connected clients.
 */
public record NodeStats(
    long nodeInstanceId,
    long uptimeMs,
    long size,
    long liveBytes,
    long capacityBytes,
    long hits,
    long misses,
    long puts,
    long deletes,
    long evictions,
    long expirations,
    long rejected,
    long requests,
    long errors,
    int sessions)
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
