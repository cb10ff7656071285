package io.ferrite.transport;

import io.aeron.Publication;
import io.ferrite.codec.ResponseEncoders;
import io.ferrite.codec.sbe.ConnectResponseEncoder;
import io.ferrite.codec.sbe.DeleteResponseEncoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetResponseEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PongResponseEncoder;
import io.ferrite.codec.sbe.PutResponseEncoder;
import io.ferrite.codec.sbe.StatsResponseEncoder;
import io.ferrite.engine.StoreStats;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;

/**
 * Encodes responses into each session's batch buffer and sends the batch once per duty cycle, as one message (or as
 * few as the largest message allows). Responses to a burst of pipelined requests thus leave in one offer, and the
 * node's thread never waits for a slow client: its responses wait in the batch, up to {@link #PENDING_MESSAGES}
 * largest messages and the send timeout, then its session is closed.
 * <p>
 * <b>Note:</b> used only on the node's thread.
 */
final class ResponsePublisher
{
    /** Result of {@link #flush}: the session's client is gone or stopped reading; the session must close. */
    static final int SESSION_FAILED = -1;

    /** Unsent bytes a session may hold, in largest messages, before it is closed as a slow consumer. */
    static final int PENDING_MESSAGES = 4;

    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int VAR_DATA_HEADER = 4;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectResponseEncoder connectEncoder = new ConnectResponseEncoder();
    private final StatsResponseEncoder statsEncoder = new StatsResponseEncoder();
    private final ResponseEncoders encoders = new ResponseEncoders();
    private final int maxMessageLength;
    private final int maxPendingBytes;
    private final long sendTimeoutNs;
    private final NanoClock nanoClock;

    ResponsePublisher(final int maxMessageLength, final long sendTimeoutNs, final NanoClock nanoClock)
    {
        this.maxMessageLength = maxMessageLength;
        this.maxPendingBytes = PENDING_MESSAGES * maxMessageLength;
        this.sendTimeoutNs = sendTimeoutNs;
        this.nanoClock = nanoClock;
    }

    int maxMessageLength()
    {
        return maxMessageLength;
    }

    boolean connected(
        final ClientSession session,
        final long nodeInstanceId,
        final int maxKeyLength,
        final int maxValueLength,
        final int maxMultiGetKeys)
    {
        final int offset = claim(session, HEADER_LENGTH + ConnectResponseEncoder.BLOCK_LENGTH);
        if (offset < 0)
        {
            return false;
        }
        connectEncoder.wrapAndApplyHeader(session.batch, offset, headerEncoder)
            .correlationId(session.connectCorrelationId)
            .clientId(session.clientId)
            .nodeInstanceId(nodeInstanceId)
            .maxKeyLength(maxKeyLength)
            .maxValueLength(maxValueLength)
            .maxMultiGetKeys(maxMultiGetKeys);
        session.batchLength += HEADER_LENGTH + connectEncoder.encodedLength();
        return true;
    }

    /**
     * Answer a get; {@code value} is null on a miss.
     */
    boolean get(final ClientSession session, final long correlationId, final DirectBuffer value)
    {
        final int valueLength = null == value ? 0 : value.capacity();
        final int offset = claim(session, HEADER_LENGTH + GetResponseEncoder.BLOCK_LENGTH + VAR_DATA_HEADER +
            valueLength);
        if (offset < 0)
        {
            return false;
        }
        session.batchLength += encoders.get(session.batch, offset, correlationId, value, 0, valueLength);
        return true;
    }

    boolean put(final ClientSession session, final long correlationId, final boolean stored)
    {
        final int offset = claim(session, HEADER_LENGTH + PutResponseEncoder.BLOCK_LENGTH);
        if (offset < 0)
        {
            return false;
        }
        session.batchLength += encoders.put(session.batch, offset, correlationId, stored);
        return true;
    }

    boolean delete(final ClientSession session, final long correlationId, final boolean deleted)
    {
        final int offset = claim(session, HEADER_LENGTH + DeleteResponseEncoder.BLOCK_LENGTH);
        if (offset < 0)
        {
            return false;
        }
        session.batchLength += encoders.delete(session.batch, offset, correlationId, deleted);
        return true;
    }

    boolean pong(final ClientSession session, final long correlationId, final long timestampNs)
    {
        final int offset = claim(session, HEADER_LENGTH + PongResponseEncoder.BLOCK_LENGTH);
        if (offset < 0)
        {
            return false;
        }
        session.batchLength += encoders.pong(session.batch, offset, correlationId, timestampNs);
        return true;
    }

    boolean stats(
        final ClientSession session,
        final long correlationId,
        final long nodeInstanceId,
        final long uptimeMs,
        final long capacityBytes,
        final StoreStats stats,
        final NodeCounters counters)
    {
        final int offset = claim(session, HEADER_LENGTH + StatsResponseEncoder.BLOCK_LENGTH);
        if (offset < 0)
        {
            return false;
        }
        session.batchLength += StatsResponses.encode(statsEncoder, headerEncoder, session.batch, offset,
            correlationId, nodeInstanceId, uptimeMs, capacityBytes, stats, counters.requests.get(),
            counters.errors.get(), (int)counters.sessions.get());
        return true;
    }

    boolean error(
        final ClientSession session,
        final long correlationId,
        final int templateId,
        final ErrorCode code,
        final String message)
    {
        final int offset = claim(session, ResponseEncoders.errorLength(message.length()));
        if (offset < 0)
        {
            return false;
        }
        session.batchLength += encoders.error(session.batch, offset, correlationId, templateId, code, message);
        return true;
    }

    /**
     * Append an already encoded response (for multi-get, encoded in a scratch buffer first).
     */
    boolean append(final ClientSession session, final MutableDirectBuffer src, final int length)
    {
        final int offset = claim(session, length);
        if (offset < 0)
        {
            return false;
        }
        session.batch.putBytes(offset, src, 0, length);
        session.batchLength += length;
        return true;
    }

    /**
     * Offer the session's pending messages, oldest first, until all are sent or the publication pushes back.
     *
     * @return messages sent, or {@link #SESSION_FAILED} if the session must close ({@link ClientSession#closeReason}
     * says why).
     */
    int flush(final ClientSession session)
    {
        if (ClientSession.ACTIVE != session.state || session.sentPosition == session.batchLength)
        {
            return 0;
        }
        int sent = 0;
        while (session.sentPosition < session.batchLength)
        {
            final boolean sealed = session.sealedIndex < session.sealedEnds.size();
            final int end = sealed ? session.sealedEnds.getInt(session.sealedIndex) : session.batchLength;
            final long result = session.publication.offer(session.batch, session.sentPosition,
                end - session.sentPosition);
            if (result > 0)
            {
                session.sentPosition = end;
                session.backPressuredSinceNs = 0;
                if (sealed)
                {
                    session.sealedIndex++;
                }
                sent++;
            }
            else if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
            {
                final long nowNs = nanoClock.nanoTime();
                if (0 == session.backPressuredSinceNs)
                {
                    session.backPressuredSinceNs = nowNs;
                }
                else if (nowNs - session.backPressuredSinceNs > sendTimeoutNs)
                {
                    session.closeReason = "client stopped reading responses (back-pressured past the send timeout)";
                    return SESSION_FAILED;
                }
                return sent;
            }
            else
            {
                session.closeReason = "client's response stream is gone (" + Publication.errorString(result) + ")";
                return SESSION_FAILED;
            }
        }
        session.batchLength = 0;
        session.messageStart = 0;
        session.sentPosition = 0;
        session.sealedIndex = 0;
        session.sealedEnds.clear();
        return sent;
    }

    /**
     * Room for {@code length} bytes at the end of the session's batch, starting a new message if the response would
     * not fit the open one.
     *
     * @return the offset to encode at, or -1 if the session has too much unsent (it is then marked
     * {@link ClientSession#CLOSED} and the response is dropped).
     */
    private int claim(final ClientSession session, final int length)
    {
        if (ClientSession.CLOSED == session.state)
        {
            return -1;
        }
        if (session.batchLength - session.messageStart + length > maxMessageLength &&
            session.batchLength > session.messageStart)
        {
            session.sealedEnds.addInt(session.batchLength);
            session.messageStart = session.batchLength;
        }
        if (session.batchLength - session.sentPosition + length > maxPendingBytes)
        {
            session.state = ClientSession.CLOSED;
            session.closeReason = "client stopped reading responses (more than " + maxPendingBytes +
                " bytes unsent)";
            return -1;
        }
        return session.batchLength;
    }
}
