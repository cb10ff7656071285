package io.ferrite.transport;

import io.aeron.ExclusivePublication;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.IntArrayList;

/**
 * A node's view of one connected client: where its responses go and the responses waiting to be sent.
 * <p>
 * Responses are appended to {@link #batch}; {@link #sealedEnds} marks where each full message ends (a message is at
 * most the publication's largest message), the bytes after the last seal form the open message, and
 * {@link #sentPosition} is how far the batch has been offered. A client that reads slowly thus costs the node
 * memory, bounded by the publisher, never a stalled thread.
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
    final IntArrayList sealedEnds = new IntArrayList();
    long clientId;
    long connectCorrelationId;
    long connectDeadlineNs;
    ExclusivePublication publication;
    int state = CONNECTING;
    int batchLength;
    int messageStart;
    int sentPosition;
    int sealedIndex;
    long backPressuredSinceNs;
    String closeReason;
    /** What the session may do ({@code Credentials} role); {@code NONE} until authenticated, or when refused. */
    int role;
    /** The credentials check in flight, or null once decided (or when authentication is off). */
    java.util.concurrent.CompletableFuture<Integer> authentication;
    /** The user the session claimed, null without credentials. */
    String user;
    /** The credentials the session connected with (a repeated connect must present the same). */
    byte[] credentials;
    /** Refused: the error is queued, the session closes once it is sent. */
    boolean refused;

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
