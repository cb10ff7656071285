package io.ferrite.replication;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Offers an answer to a client session, retrying a bounded number of times under back pressure; an answer that
 * cannot be sent is dropped (the client times out and resends, and writes are deduplicated).
 * <b>Note:</b> not thread-safe; service thread.
 */
final class SessionResponder
{
    private final IdleStrategy idleStrategy;

    SessionResponder(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
    }

    void send(final ClientSession session, final DirectBuffer buffer, final int length)
    {
        idleStrategy.reset();
        for (int i = 0; i < ClusterCommandHandler.OFFER_ATTEMPTS; i++)
        {
            final long result = session.offer(buffer, 0, length);
            if (result > 0 || Publication.CLOSED == result || Publication.NOT_CONNECTED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                return;
            }
            idleStrategy.idle();
        }
    }
}
