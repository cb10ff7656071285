package io.ferrite.transport;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.sbe.ConnectRequestDecoder;
import io.ferrite.codec.sbe.DeleteRequestDecoder;
import io.ferrite.codec.sbe.DisconnectRequestDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestDecoder;
import io.ferrite.codec.sbe.InvalidateRequestDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import io.ferrite.codec.sbe.PingRequestDecoder;
import io.ferrite.codec.sbe.PutRequestDecoder;
import io.ferrite.codec.sbe.StatsRequestDecoder;
import org.agrona.DirectBuffer;

/**
 * Decodes request fragments, checks every length against the fragment and the node's limits before anything is
 * read, and hands valid requests to a {@link RequestListener}. Input that is not a valid request becomes an error
 * response (when the sender has a session) or a dropped-frame count (when it has none); it never throws.
 * <p>
 * Every request starts its block with clientId (offset 0) and correlationId (offset 8), so an error can name the
 * request as soon as the block is long enough.
 * <p>
 * <b>Note:</b> used only on the node's thread.
 */
final class RequestAdapter implements FragmentHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int CORRELATION_ID_OFFSET = 8;
    private static final int COMMON_BLOCK_LENGTH = 16;
    private static final int VAR_DATA_HEADER = 4;
    private static final int GROUP_HEADER = 4;
    private static final int MAX_CHANNEL_LENGTH = 1024;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectRequestDecoder connectDecoder = new ConnectRequestDecoder();
    private final DisconnectRequestDecoder disconnectDecoder = new DisconnectRequestDecoder();
    private final GetRequestDecoder getDecoder = new GetRequestDecoder();
    private final PutRequestDecoder putDecoder = new PutRequestDecoder();
    private final DeleteRequestDecoder deleteDecoder = new DeleteRequestDecoder();
    private final InvalidateRequestDecoder invalidateDecoder = new InvalidateRequestDecoder();
    private final MultiGetRequestDecoder multiGetDecoder = new MultiGetRequestDecoder();
    private final PingRequestDecoder pingDecoder = new PingRequestDecoder();
    private final StatsRequestDecoder statsDecoder = new StatsRequestDecoder();
    private final RequestListener listener;
    private final int maxKeyLength;
    private final int maxValueLength;
    private final int maxMultiGetKeys;

    RequestAdapter(
        final RequestListener listener, final int maxKeyLength, final int maxValueLength, final int maxMultiGetKeys)
    {
        this.listener = listener;
        this.maxKeyLength = maxKeyLength;
        this.maxValueLength = maxValueLength;
        this.maxMultiGetKeys = maxMultiGetKeys;
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int imageSessionId = header.sessionId();
        final ClientSession session = listener.session(imageSessionId);
        if (length < HEADER_LENGTH)
        {
            reject(session, imageSessionId, -1, 0, ErrorCode.MALFORMED_MESSAGE, "frame shorter than a header", length);
            return;
        }

        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int end = offset + length;
        final int blockOffset = offset + HEADER_LENGTH;
        final long correlationId = blockLength >= COMMON_BLOCK_LENGTH && blockOffset + COMMON_BLOCK_LENGTH <= end ?
            buffer.getLong(blockOffset + CORRELATION_ID_OFFSET, MessageHeaderDecoder.BYTE_ORDER) : -1;

        if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
        {
            reject(session, imageSessionId, correlationId, templateId, ErrorCode.UNSUPPORTED_SCHEMA,
                "schema id " + headerDecoder.schemaId() + " is not Ferrite's " + MessageHeaderDecoder.SCHEMA_ID,
                length);
            return;
        }
        if (version < 1 || version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            reject(session, imageSessionId, correlationId, templateId, ErrorCode.UNSUPPORTED_VERSION,
                "schema version " + version + " is not in [1, " + MessageHeaderDecoder.SCHEMA_VERSION + "]", length);
            return;
        }
        if (blockLength < COMMON_BLOCK_LENGTH || blockOffset + blockLength > end)
        {
            reject(session, imageSessionId, correlationId, templateId, ErrorCode.MALFORMED_MESSAGE,
                "block length " + blockLength + " does not fit a frame of " + length + " bytes", length);
            return;
        }
        if (ConnectRequestDecoder.TEMPLATE_ID == templateId)
        {
            onConnect(session, imageSessionId, buffer, blockOffset, blockLength, version, end, length);
            return;
        }
        if (null == session || ClientSession.CLOSED == session.state)
        {
            listener.onDroppedFrame(imageSessionId, length);
            return;
        }

        switch (templateId)
        {
            case GetRequestDecoder.TEMPLATE_ID:
                onGet(session, buffer, blockOffset, blockLength, version, end);
                break;
            case PutRequestDecoder.TEMPLATE_ID:
                onPut(session, buffer, blockOffset, blockLength, version, end);
                break;
            case DeleteRequestDecoder.TEMPLATE_ID:
                onDelete(session, buffer, blockOffset, blockLength, version, end);
                break;
            case InvalidateRequestDecoder.TEMPLATE_ID:
                onInvalidate(session, buffer, blockOffset, blockLength, version, end);
                break;
            case MultiGetRequestDecoder.TEMPLATE_ID:
                onMultiGet(session, buffer, blockOffset, blockLength, version, end);
                break;
            case PingRequestDecoder.TEMPLATE_ID:
                onPing(session, buffer, blockOffset, blockLength, version);
                break;
            case StatsRequestDecoder.TEMPLATE_ID:
                statsDecoder.wrap(buffer, blockOffset, blockLength, version);
                listener.onStats(session, statsDecoder.correlationId());
                break;
            case DisconnectRequestDecoder.TEMPLATE_ID:
                disconnectDecoder.wrap(buffer, blockOffset, blockLength, version);
                listener.onDisconnect(session, disconnectDecoder.correlationId());
                break;
            default:
                listener.onInvalidRequest(session, correlationId, templateId, ErrorCode.UNKNOWN_TEMPLATE,
                    "unknown template id " + templateId);
                break;
        }
    }

    private void onConnect(
        final ClientSession session,
        final int imageSessionId,
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int version,
        final int end,
        final int length)
    {
        if (blockLength < ConnectRequestDecoder.BLOCK_LENGTH)
        {
            reject(session, imageSessionId, -1, ConnectRequestDecoder.TEMPLATE_ID, ErrorCode.MALFORMED_MESSAGE,
                "connect block too short", length);
            return;
        }
        connectDecoder.wrap(buffer, blockOffset, blockLength, version);
        final int limit = connectDecoder.limit();
        if (limit + 2 > end)
        {
            reject(session, imageSessionId, connectDecoder.correlationId(), ConnectRequestDecoder.TEMPLATE_ID,
                ErrorCode.MALFORMED_MESSAGE, "connect without a response channel", length);
            return;
        }
        final int channelLength = connectDecoder.responseChannelLength();
        if (channelLength < 1 || channelLength > MAX_CHANNEL_LENGTH || limit + 2 + channelLength > end)
        {
            reject(session, imageSessionId, connectDecoder.correlationId(), ConnectRequestDecoder.TEMPLATE_ID,
                ErrorCode.MALFORMED_MESSAGE, "bad response channel length " + channelLength, length);
            return;
        }
        final long clientId = connectDecoder.clientId();
        final long correlationId = connectDecoder.correlationId();
        final int streamId = connectDecoder.responseStreamId();
        listener.onConnect(imageSessionId, clientId, correlationId, streamId, connectDecoder.responseChannel());
    }

    private void onGet(
        final ClientSession session,
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int version,
        final int end)
    {
        getDecoder.wrap(buffer, blockOffset, blockLength, version);
        final long correlationId = getDecoder.correlationId();
        final int keyOffset = checkVarData(session, correlationId, GetRequestDecoder.TEMPLATE_ID,
            buffer, getDecoder.limit(), end, maxKeyLength, true);
        if (keyOffset >= 0)
        {
            listener.onGet(session, correlationId, buffer, keyOffset, varLength(buffer, getDecoder.limit()));
        }
    }

    private void onPut(
        final ClientSession session,
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int version,
        final int end)
    {
        if (blockLength < PutRequestDecoder.BLOCK_LENGTH)
        {
            listener.onInvalidRequest(session, buffer.getLong(blockOffset + CORRELATION_ID_OFFSET,
                MessageHeaderDecoder.BYTE_ORDER), PutRequestDecoder.TEMPLATE_ID, ErrorCode.MALFORMED_MESSAGE,
                "put block too short: " + blockLength);
            return;
        }
        putDecoder.wrap(buffer, blockOffset, blockLength, version);
        final long correlationId = putDecoder.correlationId();
        final int mode = putDecoder.modeRaw();
        if (mode > 2)
        {
            listener.onInvalidRequest(session, correlationId, PutRequestDecoder.TEMPLATE_ID,
                ErrorCode.INVALID_ARGUMENT, "unknown put mode " + mode);
            return;
        }
        final int keyLimit = putDecoder.limit();
        final int keyOffset = checkVarData(
            session, correlationId, PutRequestDecoder.TEMPLATE_ID, buffer, keyLimit, end, maxKeyLength, true);
        if (keyOffset < 0)
        {
            return;
        }
        final int keyLength = varLength(buffer, keyLimit);
        final int valueLimit = keyOffset + keyLength;
        final int valueOffset = checkVarData(
            session, correlationId, PutRequestDecoder.TEMPLATE_ID, buffer, valueLimit, end, maxValueLength, false);
        if (valueOffset >= 0)
        {
            listener.onPut(session, correlationId, putDecoder.ttlMs(), mode, buffer, keyOffset, keyLength,
                valueOffset, varLength(buffer, valueLimit));
        }
    }

    private void onDelete(
        final ClientSession session,
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int version,
        final int end)
    {
        deleteDecoder.wrap(buffer, blockOffset, blockLength, version);
        final long correlationId = deleteDecoder.correlationId();
        final int keyOffset = checkVarData(session, correlationId, DeleteRequestDecoder.TEMPLATE_ID,
            buffer, deleteDecoder.limit(), end, maxKeyLength, true);
        if (keyOffset >= 0)
        {
            listener.onDelete(session, correlationId, buffer, keyOffset, varLength(buffer, deleteDecoder.limit()));
        }
    }

    private void onInvalidate(
        final ClientSession session,
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int version,
        final int end)
    {
        invalidateDecoder.wrap(buffer, blockOffset, blockLength, version);
        final long correlationId = invalidateDecoder.correlationId();
        final int keyOffset = checkVarData(session, correlationId, InvalidateRequestDecoder.TEMPLATE_ID,
            buffer, invalidateDecoder.limit(), end, maxKeyLength, true);
        if (keyOffset >= 0)
        {
            listener.onDelete(
                session, correlationId, buffer, keyOffset, varLength(buffer, invalidateDecoder.limit()));
        }
    }

    private void onMultiGet(
        final ClientSession session,
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int version,
        final int end)
    {
        multiGetDecoder.wrap(buffer, blockOffset, blockLength, version);
        final long correlationId = multiGetDecoder.correlationId();
        final int templateId = MultiGetRequestDecoder.TEMPLATE_ID;
        int limit = multiGetDecoder.limit();
        if (limit + GROUP_HEADER > end)
        {
            listener.onInvalidRequest(session, correlationId, templateId, ErrorCode.MALFORMED_MESSAGE,
                "multi-get without a keys group");
            return;
        }
        final int entryBlockLength = buffer.getShort(limit, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        final int count = buffer.getShort(limit + 2, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        if (count > maxMultiGetKeys)
        {
            listener.onInvalidRequest(session, correlationId, templateId, ErrorCode.TOO_MANY_KEYS,
                "multi-get of " + count + " keys is over the limit of " + maxMultiGetKeys);
            return;
        }
        limit += GROUP_HEADER;
        for (int i = 0; i < count; i++)
        {
            limit += entryBlockLength;
            final int keyOffset = checkVarData(session, correlationId, templateId, buffer, limit, end, maxKeyLength,
                true);
            if (keyOffset < 0)
            {
                return;
            }
            limit = keyOffset + varLength(buffer, limit);
        }
        multiGetDecoder.wrap(buffer, blockOffset, blockLength, version);
        listener.onMultiGet(session, correlationId, multiGetDecoder);
    }

    private void onPing(
        final ClientSession session,
        final DirectBuffer buffer,
        final int blockOffset,
        final int blockLength,
        final int version)
    {
        if (blockLength < PingRequestDecoder.BLOCK_LENGTH)
        {
            listener.onInvalidRequest(session, buffer.getLong(blockOffset + CORRELATION_ID_OFFSET,
                MessageHeaderDecoder.BYTE_ORDER), PingRequestDecoder.TEMPLATE_ID, ErrorCode.MALFORMED_MESSAGE,
                "ping block too short: " + blockLength);
            return;
        }
        pingDecoder.wrap(buffer, blockOffset, blockLength, version);
        listener.onPing(session, pingDecoder.correlationId(), pingDecoder.timestampNs());
    }

    /**
     * Check the uint32-length var data field at {@code limit}.
     *
     * @return the offset of its bytes, or -1 after reporting why it is invalid.
     */
    private int checkVarData(
        final ClientSession session,
        final long correlationId,
        final int templateId,
        final DirectBuffer buffer,
        final int limit,
        final int end,
        final int maxLength,
        final boolean isKey)
    {
        if (limit < 0 || limit + VAR_DATA_HEADER > end)
        {
            listener.onInvalidRequest(session, correlationId, templateId, ErrorCode.MALFORMED_MESSAGE,
                "frame ends before a length field");
            return -1;
        }
        final long length = buffer.getInt(limit, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
        if (length > maxLength)
        {
            listener.onInvalidRequest(session, correlationId, templateId,
                isKey ? ErrorCode.KEY_TOO_LARGE : ErrorCode.VALUE_TOO_LARGE,
                (isKey ? "key of " : "value of ") + length + " bytes is over the limit of " + maxLength);
            return -1;
        }
        if (limit + VAR_DATA_HEADER + length > end)
        {
            listener.onInvalidRequest(session, correlationId, templateId, ErrorCode.MALFORMED_MESSAGE,
                "field of " + length + " bytes runs past the end of the frame");
            return -1;
        }
        if (isKey && 0 == length)
        {
            listener.onInvalidRequest(session, correlationId, templateId, ErrorCode.INVALID_KEY, "empty key");
            return -1;
        }
        return limit + VAR_DATA_HEADER;
    }

    private static int varLength(final DirectBuffer buffer, final int limit)
    {
        return buffer.getInt(limit, MessageHeaderDecoder.BYTE_ORDER);
    }

    private void reject(
        final ClientSession session,
        final int imageSessionId,
        final long correlationId,
        final int templateId,
        final ErrorCode code,
        final String reason,
        final int length)
    {
        if (null == session || ClientSession.CLOSED == session.state)
        {
            listener.onDroppedFrame(imageSessionId, length);
        }
        else
        {
            listener.onInvalidRequest(session, correlationId, templateId, code, reason);
        }
    }
}
