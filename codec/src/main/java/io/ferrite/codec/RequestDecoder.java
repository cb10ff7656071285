package io.ferrite.codec;

import io.ferrite.codec.sbe.CompareAndSetRequestDecoder;
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
 * The one decoder of Ferrite's request protocol: checks the header, the fixed block and every length field against
 * the frame and the {@link RequestLimits} before anything is read, and hands each valid request to a
 * {@link RequestListener}, or the reason it is invalid to {@link RequestListener#onInvalidRequest}. It never throws
 * on input and allocates nothing for valid requests other than connects (whose channel is a String).
 * <p>
 * Every request's block starts with clientId (offset 0) and correlationId (offset 8), so an error names the
 * request whenever the frame is long enough to hold its correlation id, whatever else is wrong with it (a bad
 * schema, version, template or block length included). Bytes after the last field are ignored, so a newer client
 * may append fields. A single node, a replica group's log and its stale-read endpoints all decode with this.
 * <p>
 * <b>Note:</b> not thread-safe; one instance per decoding thread.
 */
public final class RequestDecoder
{
    /** Correlation id of errors about frames too short to hold one. */
    public static final long NO_CORRELATION_ID = -1;
    /** Longest response channel a connect may name. */
    public static final int MAX_CHANNEL_LENGTH = 1024;
    /** Longest credentials a connect may carry. */
    public static final int MAX_CREDENTIALS_LENGTH = 2048;
    private static final byte[] NO_CREDENTIALS = new byte[0];

    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int CORRELATION_ID_OFFSET = 8;
    private static final int COMMON_BLOCK_LENGTH = 16;
    private static final int VAR_DATA_HEADER = 4;
    private static final int VAR_ASCII_HEADER = 2;
    private static final int GROUP_HEADER = 4;
    private static final int MAX_PUT_MODE = 2;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectRequestDecoder connectDecoder = new ConnectRequestDecoder();
    private final DisconnectRequestDecoder disconnectDecoder = new DisconnectRequestDecoder();
    private final GetRequestDecoder getDecoder = new GetRequestDecoder();
    private final PutRequestDecoder putDecoder = new PutRequestDecoder();
    private final DeleteRequestDecoder deleteDecoder = new DeleteRequestDecoder();
    private final InvalidateRequestDecoder invalidateDecoder = new InvalidateRequestDecoder();
    private final CompareAndSetRequestDecoder casDecoder = new CompareAndSetRequestDecoder();
    private final MultiGetRequestDecoder multiGetDecoder = new MultiGetRequestDecoder();
    private final PingRequestDecoder pingDecoder = new PingRequestDecoder();
    private final StatsRequestDecoder statsDecoder = new StatsRequestDecoder();
    private final RequestLimits limits;
    private final RequestListener listener;
    private final int maxKeyLength;
    private final int maxValueLength;
    private final int maxMultiGetKeys;
    private DirectBuffer buffer;
    private int end;
    private long correlationId;
    private int templateId;

    public RequestDecoder(final RequestLimits limits, final RequestListener listener)
    {
        this.limits = limits;
        this.listener = listener;
        this.maxKeyLength = limits.maxKeyLength();
        this.maxValueLength = limits.maxValueLength();
        this.maxMultiGetKeys = limits.maxMultiGetKeys();
    }

    public RequestLimits limits()
    {
        return limits;
    }

    /**
     * The correlation id {@code length} bytes at {@code offset} carry, or {@link #NO_CORRELATION_ID} when the frame
     * is too short to hold one.
     */
    public static long correlationIdOf(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= HEADER_LENGTH + COMMON_BLOCK_LENGTH ?
            buffer.getLong(offset + HEADER_LENGTH + CORRELATION_ID_OFFSET, MessageHeaderDecoder.BYTE_ORDER) :
            NO_CORRELATION_ID;
    }

    /**
     * Decode one request message (header first) of {@code length} bytes at {@code offset} and call the listener
     * exactly once: with the request, or with why it is invalid.
     */
    public void decode(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.end = offset + length;
        correlationId = correlationIdOf(buffer, offset, length);
        templateId = 0;
        if (length < HEADER_LENGTH)
        {
            invalid(ErrorCode.MALFORMED_MESSAGE, "frame of " + length + " bytes is shorter than a message header");
            return;
        }
        headerDecoder.wrap(buffer, offset);
        templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int schemaId = headerDecoder.schemaId();
        final int blockOffset = offset + HEADER_LENGTH;
        if (MessageHeaderDecoder.SCHEMA_ID != schemaId)
        {
            invalid(ErrorCode.UNSUPPORTED_SCHEMA,
                "schema id " + schemaId + " is not Ferrite's " + MessageHeaderDecoder.SCHEMA_ID);
            return;
        }
        if (version < 1 || version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            invalid(ErrorCode.UNSUPPORTED_VERSION,
                "schema version " + version + " is not in [1, " + MessageHeaderDecoder.SCHEMA_VERSION + "]");
            return;
        }
        if (blockLength < minBlockLength(templateId) || blockOffset + blockLength > end)
        {
            invalid(ErrorCode.MALFORMED_MESSAGE, "block length " + blockLength + " of template " + templateId +
                " does not fit a frame of " + length + " bytes or is shorter than the template's block");
            return;
        }
        switch (templateId)
        {
            case GetRequestDecoder.TEMPLATE_ID:
                onGet(blockOffset, blockLength, version);
                break;
            case PutRequestDecoder.TEMPLATE_ID:
                onPut(blockOffset, blockLength, version);
                break;
            case DeleteRequestDecoder.TEMPLATE_ID:
                deleteDecoder.wrap(buffer, blockOffset, blockLength, version);
                onDelete(deleteDecoder.clientId(), deleteDecoder.limit());
                break;
            case InvalidateRequestDecoder.TEMPLATE_ID:
                invalidateDecoder.wrap(buffer, blockOffset, blockLength, version);
                onDelete(invalidateDecoder.clientId(), invalidateDecoder.limit());
                break;
            case CompareAndSetRequestDecoder.TEMPLATE_ID:
                onCompareAndSet(blockOffset, blockLength, version);
                break;
            case MultiGetRequestDecoder.TEMPLATE_ID:
                onMultiGet(blockOffset, blockLength, version);
                break;
            case PingRequestDecoder.TEMPLATE_ID:
                pingDecoder.wrap(buffer, blockOffset, blockLength, version);
                listener.onPing(pingDecoder.clientId(), correlationId, pingDecoder.timestampNs());
                break;
            case StatsRequestDecoder.TEMPLATE_ID:
                statsDecoder.wrap(buffer, blockOffset, blockLength, version);
                listener.onStats(statsDecoder.clientId(), correlationId);
                break;
            case ConnectRequestDecoder.TEMPLATE_ID:
                onConnect(blockOffset, blockLength, version);
                break;
            case DisconnectRequestDecoder.TEMPLATE_ID:
                disconnectDecoder.wrap(buffer, blockOffset, blockLength, version);
                listener.onDisconnect(disconnectDecoder.clientId(), correlationId);
                break;
            default:
                listener.onOtherRequest(templateId, blockLength, version, correlationId, buffer, offset, length);
                break;
        }
    }

    private static int minBlockLength(final int templateId)
    {
        switch (templateId)
        {
            case GetRequestDecoder.TEMPLATE_ID:
                return GetRequestDecoder.BLOCK_LENGTH;
            case PutRequestDecoder.TEMPLATE_ID:
                return PutRequestDecoder.BLOCK_LENGTH;
            case DeleteRequestDecoder.TEMPLATE_ID:
                return DeleteRequestDecoder.BLOCK_LENGTH;
            case InvalidateRequestDecoder.TEMPLATE_ID:
                return InvalidateRequestDecoder.BLOCK_LENGTH;
            case CompareAndSetRequestDecoder.TEMPLATE_ID:
                return CompareAndSetRequestDecoder.BLOCK_LENGTH;
            case MultiGetRequestDecoder.TEMPLATE_ID:
                return MultiGetRequestDecoder.BLOCK_LENGTH;
            case PingRequestDecoder.TEMPLATE_ID:
                return PingRequestDecoder.BLOCK_LENGTH;
            case StatsRequestDecoder.TEMPLATE_ID:
                return StatsRequestDecoder.BLOCK_LENGTH;
            case ConnectRequestDecoder.TEMPLATE_ID:
                return ConnectRequestDecoder.BLOCK_LENGTH;
            case DisconnectRequestDecoder.TEMPLATE_ID:
                return DisconnectRequestDecoder.BLOCK_LENGTH;
            default:
                return COMMON_BLOCK_LENGTH;
        }
    }

    private void onGet(final int blockOffset, final int blockLength, final int version)
    {
        getDecoder.wrap(buffer, blockOffset, blockLength, version);
        final int limit = getDecoder.limit();
        final int keyOffset = checkVarData(limit, maxKeyLength, true);
        if (keyOffset >= 0)
        {
            listener.onGet(getDecoder.clientId(), correlationId, buffer, keyOffset, varLength(limit));
        }
    }

    private void onPut(final int blockOffset, final int blockLength, final int version)
    {
        putDecoder.wrap(buffer, blockOffset, blockLength, version);
        final int mode = putDecoder.modeRaw();
        if (mode > MAX_PUT_MODE)
        {
            invalid(ErrorCode.INVALID_ARGUMENT, "unknown put mode " + mode);
            return;
        }
        final int keyLimit = putDecoder.limit();
        final int keyOffset = checkVarData(keyLimit, maxKeyLength, true);
        if (keyOffset < 0)
        {
            return;
        }
        final int keyLength = varLength(keyLimit);
        final int valueLimit = keyOffset + keyLength;
        final int valueOffset = checkVarData(valueLimit, maxValueLength, false);
        if (valueOffset >= 0)
        {
            listener.onPut(putDecoder.clientId(), correlationId, putDecoder.ttlMs(), mode, buffer, keyOffset,
                keyLength, valueOffset, varLength(valueLimit));
        }
    }

    private void onDelete(final long clientId, final int limit)
    {
        final int keyOffset = checkVarData(limit, maxKeyLength, true);
        if (keyOffset >= 0)
        {
            listener.onDelete(clientId, correlationId, templateId, buffer, keyOffset, varLength(limit));
        }
    }

    private void onCompareAndSet(final int blockOffset, final int blockLength, final int version)
    {
        casDecoder.wrap(buffer, blockOffset, blockLength, version);
        final int keyLimit = casDecoder.limit();
        final int keyOffset = checkVarData(keyLimit, maxKeyLength, true);
        if (keyOffset < 0)
        {
            return;
        }
        final int keyLength = varLength(keyLimit);
        final int expectedLimit = keyOffset + keyLength;
        final int expectedOffset = checkVarData(expectedLimit, maxValueLength, false);
        if (expectedOffset < 0)
        {
            return;
        }
        final int expectedLength = varLength(expectedLimit);
        final int valueLimit = expectedOffset + expectedLength;
        final int valueOffset = checkVarData(valueLimit, maxValueLength, false);
        if (valueOffset >= 0)
        {
            listener.onCompareAndSet(casDecoder.clientId(), correlationId, casDecoder.ttlMs(), buffer,
                keyOffset, keyLength, expectedOffset, expectedLength, valueOffset, varLength(valueLimit));
        }
    }

    private void onMultiGet(final int blockOffset, final int blockLength, final int version)
    {
        multiGetDecoder.wrap(buffer, blockOffset, blockLength, version);
        int limit = multiGetDecoder.limit();
        if (limit + GROUP_HEADER > end)
        {
            invalid(ErrorCode.MALFORMED_MESSAGE, "multi-get without a keys group");
            return;
        }
        final int entryBlockLength = buffer.getShort(limit, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        final int count = buffer.getShort(limit + 2, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        if (count > maxMultiGetKeys)
        {
            invalid(ErrorCode.TOO_MANY_KEYS,
                "multi-get of " + count + " keys is over the limit of " + maxMultiGetKeys);
            return;
        }
        limit += GROUP_HEADER;
        for (int i = 0; i < count; i++)
        {
            limit += entryBlockLength;
            final int keyOffset = checkVarData(limit, maxKeyLength, true);
            if (keyOffset < 0)
            {
                return;
            }
            limit = keyOffset + varLength(limit);
        }
        multiGetDecoder.wrap(buffer, blockOffset, blockLength, version);
        listener.onMultiGet(multiGetDecoder.clientId(), correlationId, multiGetDecoder);
    }

    private void onConnect(final int blockOffset, final int blockLength, final int version)
    {
        connectDecoder.wrap(buffer, blockOffset, blockLength, version);
        final int limit = connectDecoder.limit();
        if (limit + VAR_ASCII_HEADER > end)
        {
            invalid(ErrorCode.MALFORMED_MESSAGE, "connect without a response channel");
            return;
        }
        final int channelLength = buffer.getShort(limit, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        if (channelLength < 1 || channelLength > MAX_CHANNEL_LENGTH || limit + VAR_ASCII_HEADER + channelLength > end)
        {
            invalid(ErrorCode.MALFORMED_MESSAGE, "bad response channel length " + channelLength);
            return;
        }
        final long clientId = connectDecoder.clientId();
        final int streamId = connectDecoder.responseStreamId();
        final String channel = connectDecoder.responseChannel();
        final int credentialsLimit = connectDecoder.limit();
        byte[] credentials = NO_CREDENTIALS;
        if (credentialsLimit < end)
        {
            final long length = credentialsLimit + VAR_DATA_HEADER > end ? -1 :
                buffer.getInt(credentialsLimit, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
            if (length < 0 || length > MAX_CREDENTIALS_LENGTH || credentialsLimit + VAR_DATA_HEADER + length > end)
            {
                invalid(ErrorCode.MALFORMED_MESSAGE, "bad credentials field");
                return;
            }
            credentials = new byte[(int)length];
            buffer.getBytes(credentialsLimit + VAR_DATA_HEADER, credentials);
        }
        listener.onConnect(clientId, correlationId, streamId, channel, credentials);
    }

    /**
     * Check the uint32-length var data field at {@code limit}.
     *
     * @return the offset of its bytes, or -1 after reporting why it is invalid.
     */
    private int checkVarData(final int limit, final int maxLength, final boolean isKey)
    {
        if (limit < 0 || limit + VAR_DATA_HEADER > end)
        {
            invalid(ErrorCode.MALFORMED_MESSAGE, "frame ends before a length field");
            return -1;
        }
        final long length = buffer.getInt(limit, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
        if (length > maxLength)
        {
            invalid(isKey ? ErrorCode.KEY_TOO_LARGE : ErrorCode.VALUE_TOO_LARGE,
                (isKey ? "key of " : "value of ") + length + " bytes is over the limit of " + maxLength);
            return -1;
        }
        if (limit + VAR_DATA_HEADER + length > end)
        {
            invalid(ErrorCode.MALFORMED_MESSAGE, "field of " + length + " bytes runs past the end of the frame");
            return -1;
        }
        if (isKey && 0 == length)
        {
            invalid(ErrorCode.INVALID_KEY, "empty key");
            return -1;
        }
        return limit + VAR_DATA_HEADER;
    }

    private int varLength(final int limit)
    {
        return buffer.getInt(limit, MessageHeaderDecoder.BYTE_ORDER);
    }

    private void invalid(final ErrorCode code, final String reason)
    {
        listener.onInvalidRequest(correlationId, templateId, code, reason);
    }
}
