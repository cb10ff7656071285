package io.ferrite.transport;

import io.aeron.Publication;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.ConnectResponseEncoder;
import io.ferrite.codec.sbe.DeleteResponseEncoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseEncoder;
import io.ferrite.codec.sbe.GetResponseEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PongResponseEncoder;
import io.ferrite.codec.sbe.PutResponseEncoder;
import io.ferrite.codec.sbe.PutStatus;
import io.ferrite.codec.sbe.StatsResponseEncoder;
import io.ferrite.engine.StoreStats;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;

/**
 * Encodes responses into each session's batch buffer, and sends a session's batch as one message per duty cycle
 * (or sooner, when the next response would not fit one message). Responses to a burst of pipelined requests thus
 * leave in one offer.
 * <p>
 * <b>Note:</b> used only on the node's thread.
 */
final class ResponsePublisher
{
    /** Result of {@link #flush}: the session's client is gone or stopped reading; the session must close. */
    static final int SESSION_FAILED = -1;

    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int VAR_DATA_HEADER = 4;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectResponseEncoder connectEncoder = new ConnectResponseEncoder();
    private final GetResponseEncoder getEncoder = new GetResponseEncoder();
    private final PutResponseEncoder putEncoder = new PutResponseEncoder();
    private final DeleteResponseEncoder deleteEncoder = new DeleteResponseEncoder();
    private final PongResponseEncoder pongEncoder = new PongResponseEncoder();
    private final StatsResponseEncoder statsEncoder = new StatsResponseEncoder();
    private final ErrorResponseEncoder errorEncoder = new ErrorResponseEncoder();
    private final int maxMessageLength;
    private final long sendTimeoutNs;
    private final NanoClock nanoClock;

    ResponsePublisher(final int maxMessageLength, final long sendTimeoutNs, final NanoClock nanoClock)
    {
        this.maxMessageLength = maxMessageLength;
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
        getEncoder.wrapAndApplyHeader(session.batch, offset, headerEncoder)
            .correlationId(correlationId)
            .found(null == value ? BooleanType.FALSE : BooleanType.TRUE);
        if (null == value)
        {
            getEncoder.putValue(session.batch, 0, 0);
        }
        else
        {
            getEncoder.putValue(value, 0, valueLength);
        }
        session.batchLength += HEADER_LENGTH + getEncoder.encodedLength();
        return true;
    }

    boolean put(final ClientSession session, final long correlationId, final boolean stored)
    {
        final int offset = claim(session, HEADER_LENGTH + PutResponseEncoder.BLOCK_LENGTH);
        if (offset < 0)
        {
            return false;
        }
        putEncoder.wrapAndApplyHeader(session.batch, offset, headerEncoder)
            .correlationId(correlationId)
            .status(stored ? PutStatus.STORED : PutStatus.NOT_STORED);
        session.batchLength += HEADER_LENGTH + putEncoder.encodedLength();
        return true;
    }

    boolean delete(final ClientSession session, final long correlationId, final boolean deleted)
    {
        final int offset = claim(session, HEADER_LENGTH + DeleteResponseEncoder.BLOCK_LENGTH);
        if (offset < 0)
        {
            return false;
        }
        deleteEncoder.wrapAndApplyHeader(session.batch, offset, headerEncoder)
            .correlationId(correlationId)
            .deleted(deleted ? BooleanType.TRUE : BooleanType.FALSE);
        session.batchLength += HEADER_LENGTH + deleteEncoder.encodedLength();
        return true;
    }

    boolean pong(final ClientSession session, final long correlationId, final long timestampNs)
    {
        final int offset = claim(session, HEADER_LENGTH + PongResponseEncoder.BLOCK_LENGTH);
        if (offset < 0)
        {
            return false;
        }
        pongEncoder.wrapAndApplyHeader(session.batch, offset, headerEncoder)
            .correlationId(correlationId)
            .timestampNs(timestampNs);
        session.batchLength += HEADER_LENGTH + pongEncoder.encodedLength();
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
        statsEncoder.wrapAndApplyHeader(session.batch, offset, headerEncoder)
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
            .requests(counters.requests.get())
            .errors(counters.errors.get())
            .sessions((int)counters.sessions.get());
        session.batchLength += HEADER_LENGTH + statsEncoder.encodedLength();
        return true;
    }

    boolean error(
        final ClientSession session,
        final long correlationId,
        final int templateId,
        final ErrorCode code,
        final String message)
    {
        final String text = message.length() > 1000 ? message.substring(0, 1000) : message;
        final int offset = claim(
            session, HEADER_LENGTH + ErrorResponseEncoder.BLOCK_LENGTH + 2 + text.length());
        if (offset < 0)
        {
            return false;
        }
        errorEncoder.wrapAndApplyHeader(session.batch, offset, headerEncoder)
            .correlationId(correlationId)
            .requestTemplateId(templateId & 0xFFFF)
            .code(code)
            .message(text);
        session.batchLength += HEADER_LENGTH + errorEncoder.encodedLength();
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
     * Send the session's batch if it has one and the session is active.
     *
     * @return 1 if a batch was sent, 0 if nothing was sent, {@link #SESSION_FAILED} if the session must close.
     */
    int flush(final ClientSession session)
    {
        if (0 == session.batchLength || ClientSession.ACTIVE != session.state)
        {
            return 0;
        }
        final long result = session.publication.offer(session.batch, 0, session.batchLength);
        if (result > 0)
        {
            session.batchLength = 0;
            session.backPressuredSinceNs = 0;
            return 1;
        }
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            final long nowNs = nanoClock.nanoTime();
            if (0 == session.backPressuredSinceNs)
            {
                session.backPressuredSinceNs = nowNs;
            }
            else if (nowNs - session.backPressuredSinceNs > sendTimeoutNs)
            {
                return SESSION_FAILED;
            }
            return 0;
        }
        return SESSION_FAILED;
    }

    /**
     * Room for {@code length} bytes at the end of the session's batch, sending the batch first if the response
     * would not fit one message with it.
     *
     * @return the offset to encode at, or -1 if the session failed (it is then marked {@link ClientSession#CLOSED}
     * and the response is dropped; the caller's event log explains).
     */
    private int claim(final ClientSession session, final int length)
    {
        if (ClientSession.CLOSED == session.state)
        {
            return -1;
        }
        if (session.batchLength + length > maxMessageLength && session.batchLength > 0)
        {
            if (ClientSession.ACTIVE != session.state)
            {
                return -1;
            }
            while (true)
            {
                final int result = flush(session);
                if (SESSION_FAILED == result)
                {
                    session.state = ClientSession.CLOSED;
                    return -1;
                }
                if (0 == session.batchLength)
                {
                    break;
                }
                Thread.onSpinWait();
            }
        }
        return session.batchLength;
    }
}
