package io.ferrite.transport;

import io.aeron.ExclusivePublication;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * A node's view of one connected client: where its responses go and the responses waiting to be sent as one batch.
 * <p>
 * <b>Note:</b> used only on the node's thread.
 */
final class ClientSession
{
    static final int CONNECTING = 0;
    static final int ACTIVE = 1;
    static final int CLOSED = 2;

    final int imageSessionId;
    final String responseChannel;
    final int responseStreamId;
    final long registrationId;
    final ExpandableDirectByteBuffer batch = new ExpandableDirectByteBuffer(4096);
    long clientId;
    long connectCorrelationId;
    long connectDeadlineNs;
    ExclusivePublication publication;
    int state = CONNECTING;
    int batchLength;
    long backPressuredSinceNs;

    ClientSession(
        final int imageSessionId,
        final long clientId,
        final String responseChannel,
        final int responseStreamId,
        final long registrationId)
    {
        this.imageSessionId = imageSessionId;
        this.clientId = clientId;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
        this.registrationId = registrationId;
    }

    public String toString()
    {
        return "session " + imageSessionId + " (client " + Long.toHexString(clientId) + ", responses to " +
            responseChannel + " stream " + responseStreamId + ")";
    }
}
