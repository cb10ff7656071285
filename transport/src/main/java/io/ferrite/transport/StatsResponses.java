package io.ferrite.transport;

import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.StatsResponseEncoder;
import io.ferrite.engine.StoreStats;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes a stats answer from a store's counters, for the node and for a replica group alike.
 */
public final class StatsResponses
{
    private StatsResponses()
    {
    }

    /**
     * @return the encoded length, header included.
     */
    public static int encode(
        final StatsResponseEncoder encoder,
        final MessageHeaderEncoder headerEncoder,
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final long nodeInstanceId,
        final long uptimeMs,
        final long capacityBytes,
        final StoreStats stats,
        final long requests,
        final long errors,
        final int sessions)
    {
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .nodeInstanceId(nodeInstanceId)
            .uptimeMs(uptimeMs)
            .size(stats.size())
            .liveBytes(stats.liveBytes())
            .capacityBytes(capacityBytes)
            .hits(stats.hits())
            .misses(stats.misses())
            .puts(stats.puts())
            .deletes(stats.deletes())
            .evictions(stats.evictions())
            .expirations(stats.expirations())
            .rejected(stats.rejected())
            .requests(requests)
            .errors(errors)
            .sessions(sessions);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }
}
