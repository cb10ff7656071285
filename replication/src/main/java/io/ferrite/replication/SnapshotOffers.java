package io.ferrite.replication;

import io.aeron.Publication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Offers one message of a snapshot, idling while the publication is back-pressured: every section of a member's
 * snapshot (pending writes, partition state, the store) is written this way. <b>Note:</b> stateless.
 */
public final class SnapshotOffers
{
    private SnapshotOffers()
    {
    }

    /**
     * Offer {@code length} bytes of {@code buffer} from {@code offset}, retrying until accepted.
     *
     * @throws IllegalStateException if the publication is closed or at its maximum position.
     */
    public static void offer(
        final Publication publication,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final IdleStrategy idleStrategy)
    {
        idleStrategy.reset();
        while (true)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                return;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                throw new IllegalStateException("snapshot publication failed: " + Publication.errorString(result));
            }
            idleStrategy.idle();
        }
    }
}
