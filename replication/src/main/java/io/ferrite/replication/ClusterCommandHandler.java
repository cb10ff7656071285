package io.ferrite.replication;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.ferrite.codec.ResponseEncoders;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.CompareAndSetRequestDecoder;
import io.ferrite.codec.sbe.DeleteRequestDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestDecoder;
import io.ferrite.codec.sbe.InvalidateRequestDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import io.ferrite.codec.sbe.MultiGetResponseEncoder;
import io.ferrite.codec.sbe.PingRequestDecoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestDecoder;
import io.ferrite.codec.sbe.StatsRequestDecoder;
import io.ferrite.codec.sbe.StatsResponseEncoder;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreConfiguration;
import io.ferrite.transport.StatsResponses;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes the commands that reach a group member through the Raft log, applies them to the member's store and
 * answers the client's session (on followers Aeron drops the answers; only the leader's reach the client).
 * <p>
 * Everything it does is deterministic: it sees only the log's bytes and the cluster's time (through the store's
 * clock). Writes are deduplicated by client id and correlation id ({@link RequestDeduplicator}), so a write
 * resent after a failover is answered with its first outcome. Malformed input gets an error response and
 * changes nothing. <b>Note:</b> not thread-safe; runs on the service thread.
 */
final class ClusterCommandHandler
{
    static final int OFFER_ATTEMPTS = 1000;

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GetRequestDecoder getRequest = new GetRequestDecoder();
    private final PutRequestDecoder putRequest = new PutRequestDecoder();
    private final DeleteRequestDecoder deleteRequest = new DeleteRequestDecoder();
    private final InvalidateRequestDecoder invalidateRequest = new InvalidateRequestDecoder();
    private final CompareAndSetRequestDecoder casRequest = new CompareAndSetRequestDecoder();
    private final MultiGetRequestDecoder multiGetRequest = new MultiGetRequestDecoder();
    private final PingRequestDecoder pingRequest = new PingRequestDecoder();
    private final StatsRequestDecoder statsRequest = new StatsRequestDecoder();
    private final ResponseEncoders responses = new ResponseEncoders();
    private final MultiGetResponseEncoder multiGetResponse = new MultiGetResponseEncoder();
    private final StatsResponseEncoder statsResponse = new StatsResponseEncoder();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(64 * 1024);
    private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer value = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer expected = new UnsafeBuffer(0, 0);
    private final RequestDeduplicator deduplicator;
    private final int maxMultiGetKeys;
    private final int maxResponseLength;
    private FerriteStore store;
    private IdleStrategy idleStrategy;
    private long requests;
    private long errors;

    /**
     * @param maxResponseLength the longest answer that fits one egress message (an eighth of the term length, less
     *                          framing); longer answers become {@code RESPONSE_TOO_LARGE} errors.
     */
    ClusterCommandHandler(
        final RequestDeduplicator deduplicator, final int maxMultiGetKeys, final int maxResponseLength)
    {
        this.deduplicator = deduplicator;
        this.maxMultiGetKeys = maxMultiGetKeys;
        this.maxResponseLength = maxResponseLength;
    }

    void store(final FerriteStore store, final IdleStrategy idleStrategy)
    {
        this.store = store;
        this.idleStrategy = idleStrategy;
    }

    long requests()
    {
        return requests;
    }

    long errors()
    {
        return errors;
    }

    void onMessage(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        requests++;
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            error(session, -1, 0, ErrorCode.MALFORMED_MESSAGE, "frame shorter than a message header");
            return;
        }
        header.wrap(buffer, offset);
        final int templateId = header.templateId();
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            error(session, -1, templateId, ErrorCode.UNSUPPORTED_SCHEMA, "schema id " + header.schemaId());
            return;
        }
        if (header.version() > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            error(session, -1, templateId, ErrorCode.UNSUPPORTED_VERSION, "schema version " + header.version());
            return;
        }
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = header.blockLength();
        final int version = header.version();
        if (bodyOffset + blockLength > offset + length)
        {
            error(session, -1, templateId, ErrorCode.MALFORMED_MESSAGE, "block runs past the frame");
            return;
        }
        try
        {
            switch (templateId)
            {
                case GetRequestDecoder.TEMPLATE_ID:
                    getRequest.wrap(buffer, bodyOffset, blockLength, version);
                    onGet(session, offset + length);
                    break;
                case PutRequestDecoder.TEMPLATE_ID:
                    putRequest.wrap(buffer, bodyOffset, blockLength, version);
                    onPut(session, offset + length);
                    break;
                case DeleteRequestDecoder.TEMPLATE_ID:
                    deleteRequest.wrap(buffer, bodyOffset, blockLength, version);
                    onDelete(session, deleteRequest.clientId(), deleteRequest.correlationId(),
                        wrapData(buffer, deleteRequest.limit(), offset + length, key), templateId);
                    break;
                case InvalidateRequestDecoder.TEMPLATE_ID:
                    invalidateRequest.wrap(buffer, bodyOffset, blockLength, version);
                    onDelete(session, invalidateRequest.clientId(), invalidateRequest.correlationId(),
                        wrapData(buffer, invalidateRequest.limit(), offset + length, key), templateId);
                    break;
                case CompareAndSetRequestDecoder.TEMPLATE_ID:
                    casRequest.wrap(buffer, bodyOffset, blockLength, version);
                    onCompareAndSet(session, offset + length);
                    break;
                case MultiGetRequestDecoder.TEMPLATE_ID:
                    multiGetRequest.wrap(buffer, bodyOffset, blockLength, version);
                    onMultiGet(session, offset + length);
                    break;
                case PingRequestDecoder.TEMPLATE_ID:
                    pingRequest.wrap(buffer, bodyOffset, blockLength, version);
                    send(session, responses.pong(out, 0, pingRequest.correlationId(), pingRequest.timestampNs()));
                    break;
                case StatsRequestDecoder.TEMPLATE_ID:
                    onStats(session, buffer, bodyOffset, blockLength, version);
                    break;
                default:
                    error(session, -1, templateId, ErrorCode.UNKNOWN_TEMPLATE, "template id " + templateId);
                    break;
            }
        }
        catch (final MalformedException | IndexOutOfBoundsException | IllegalStateException ex)
        {
            error(session, -1, templateId, ErrorCode.MALFORMED_MESSAGE, "malformed: " + ex.getMessage());
        }
    }

    private void onGet(final ClientSession session, final int frameEnd)
    {
        final long correlationId = getRequest.correlationId();
        wrapData(getRequest.buffer(), getRequest.limit(), frameEnd, key);
        if (!checkKey(session, correlationId, GetRequestDecoder.TEMPLATE_ID))
        {
            return;
        }
        final boolean found = store.getView(key, 0, key.capacity(), value);
        if (found && value.capacity() + 64 > maxResponseLength)
        {
            error(session, correlationId, GetRequestDecoder.TEMPLATE_ID, ErrorCode.RESPONSE_TOO_LARGE,
                "value of " + value.capacity() + " bytes does not fit one response of " + maxResponseLength);
            return;
        }
        send(session, responses.get(out, 0, correlationId, found ? value : null, 0, found ? value.capacity() : 0));
    }

    private void onPut(final ClientSession session, final int frameEnd)
    {
        final long clientId = putRequest.clientId();
        final long correlationId = putRequest.correlationId();
        final long ttlMs = putRequest.ttlMs();
        final PutMode mode = putRequest.mode();
        final int limit = wrapData(putRequest.buffer(), putRequest.limit(), frameEnd, key);
        wrapData(putRequest.buffer(), limit, frameEnd, value);
        if (!checkKey(session, correlationId, PutRequestDecoder.TEMPLATE_ID))
        {
            return;
        }
        if (answerDuplicate(session, clientId, correlationId))
        {
            return;
        }
        final int storeMode;
        switch (mode)
        {
            case UPSERT:
                storeMode = FerriteStore.PUT;
                break;
            case PUT_IF_ABSENT:
                storeMode = FerriteStore.PUT_IF_ABSENT;
                break;
            case REPLACE:
                storeMode = FerriteStore.REPLACE;
                break;
            default:
                error(session, correlationId, PutRequestDecoder.TEMPLATE_ID, ErrorCode.INVALID_ARGUMENT,
                    "unknown put mode");
                return;
        }
        final int result = store.put(key, 0, key.capacity(), value, 0, value.capacity(), ttlMs, storeMode);
        answerWrite(session, clientId, correlationId, result, PutRequestDecoder.TEMPLATE_ID);
    }

    private void onCompareAndSet(final ClientSession session, final int frameEnd)
    {
        final long clientId = casRequest.clientId();
        final long correlationId = casRequest.correlationId();
        final long ttlMs = casRequest.ttlMs();
        int limit = wrapData(casRequest.buffer(), casRequest.limit(), frameEnd, key);
        limit = wrapData(casRequest.buffer(), limit, frameEnd, expected);
        wrapData(casRequest.buffer(), limit, frameEnd, value);
        if (!checkKey(session, correlationId, CompareAndSetRequestDecoder.TEMPLATE_ID))
        {
            return;
        }
        if (answerDuplicate(session, clientId, correlationId))
        {
            return;
        }
        final int result = store.compareAndSet(key, 0, key.capacity(), expected, 0, expected.capacity(),
            value, 0, value.capacity(), ttlMs);
        answerWrite(session, clientId, correlationId, result, CompareAndSetRequestDecoder.TEMPLATE_ID);
    }

    private void onDelete(
        final ClientSession session,
        final long clientId,
        final long correlationId,
        final int limit,
        final int templateId)
    {
        if (!checkKey(session, correlationId, templateId))
        {
            return;
        }
        final int known = deduplicator.resultOf(clientId, correlationId);
        final boolean deleted;
        if (RequestDeduplicator.UNKNOWN != known)
        {
            deleted = 1 == known;
        }
        else
        {
            deleted = store.delete(key, 0, key.capacity());
            deduplicator.record(clientId, correlationId, deleted ? 1 : 0);
        }
        send(session, responses.delete(out, 0, correlationId, deleted));
    }

    private void onMultiGet(final ClientSession session, final int frameEnd)
    {
        final long correlationId = multiGetRequest.correlationId();
        final MultiGetRequestDecoder.KeysDecoder keys = multiGetRequest.keys();
        final int count = keys.count();
        if (count > maxMultiGetKeys)
        {
            error(session, correlationId, MultiGetRequestDecoder.TEMPLATE_ID, ErrorCode.TOO_MANY_KEYS,
                count + " keys, limit " + maxMultiGetKeys);
            return;
        }
        final MultiGetResponseEncoder.ValuesEncoder values = multiGetResponse
            .wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .valuesCount(count);
        while (keys.hasNext())
        {
            keys.next();
            final int keyLength = keys.keyLength();
            if (multiGetRequest.limit() + 4 + keyLength > frameEnd)
            {
                throw new MalformedException("multi-get key runs past the frame");
            }
            keys.wrapKey(key);
            final boolean found = key.capacity() > 0 && store.getView(key, 0, key.capacity(), value);
            if (MessageHeaderEncoder.ENCODED_LENGTH + multiGetResponse.encodedLength() + 5 +
                (found ? value.capacity() : 0) > maxResponseLength)
            {
                error(session, correlationId, MultiGetRequestDecoder.TEMPLATE_ID, ErrorCode.RESPONSE_TOO_LARGE,
                    "multi-get values exceed one response of " + maxResponseLength + " bytes; ask for fewer keys");
                return;
            }
            values.next().found(found ? BooleanType.TRUE : BooleanType.FALSE);
            values.putValue(value, 0, found ? value.capacity() : 0);
        }
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + multiGetResponse.encodedLength());
    }

    private void onStats(
        final ClientSession session, final DirectBuffer buffer, final int offset, final int blockLength,
        final int version)
    {
        final StatsRequestDecoder decoder = statsRequest;
        decoder.wrap(buffer, offset, blockLength, version);
        send(session, StatsResponses.encode(statsResponse, headerEncoder, out, 0, decoder.correlationId(), 0, 0,
            store.capacityBytes(), store.stats(), requests, errors, 0));
    }

    private boolean answerDuplicate(final ClientSession session, final long clientId, final long correlationId)
    {
        final int known = deduplicator.resultOf(clientId, correlationId);
        if (RequestDeduplicator.UNKNOWN == known)
        {
            return false;
        }
        send(session, responses.put(out, 0, correlationId, FerriteStore.STORED == known));
        return true;
    }

    private void answerWrite(
        final ClientSession session, final long clientId, final long correlationId, final int result,
        final int templateId)
    {
        if (FerriteStore.TOO_LARGE == result)
        {
            error(session, correlationId, templateId, ErrorCode.VALUE_TOO_LARGE, "value of " + value.capacity() +
                " bytes exceeds the store's limit of " + store.maxValueLength(key.capacity()));
            return;
        }
        if (FerriteStore.INVALID_KEY == result)
        {
            error(session, correlationId, templateId, ErrorCode.INVALID_KEY, "invalid key");
            return;
        }
        deduplicator.record(clientId, correlationId, result);
        send(session, responses.put(out, 0, correlationId, FerriteStore.STORED == result));
    }

    private boolean checkKey(final ClientSession session, final long correlationId, final int templateId)
    {
        final int length = key.capacity();
        if (length <= 0)
        {
            error(session, correlationId, templateId, ErrorCode.INVALID_KEY, "empty key");
            return false;
        }
        if (length > StoreConfiguration.MAX_KEY_LENGTH)
        {
            error(session, correlationId, templateId, ErrorCode.KEY_TOO_LARGE,
                "key of " + length + " bytes, limit " + StoreConfiguration.MAX_KEY_LENGTH);
            return false;
        }
        return true;
    }

    /**
     * Wrap the varData (uint32 length, then bytes) at {@code offset} into {@code view}, checking it lies within
     * the frame.
     *
     * @return the offset after it.
     */
    static int wrapData(final DirectBuffer buffer, final int offset, final int frameEnd, final UnsafeBuffer view)
    {
        if (offset + 4 > frameEnd)
        {
            throw new MalformedException("data length runs past the frame");
        }
        final long length = buffer.getInt(offset, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (offset + 4 + length > frameEnd)
        {
            throw new MalformedException("data of " + length + " bytes runs past the frame");
        }
        view.wrap(buffer, offset + 4, (int)length);
        return offset + 4 + (int)length;
    }

    private void error(
        final ClientSession session,
        final long correlationId,
        final int templateId,
        final ErrorCode code,
        final String message)
    {
        errors++;
        send(session, responses.error(out, 0, correlationId, templateId, code, message));
    }

    private void send(final ClientSession session, final int length)
    {
        idleStrategy.reset();
        for (int i = 0; i < OFFER_ATTEMPTS; i++)
        {
            final long result = session.offer(out, 0, length);
            if (result > 0 || Publication.CLOSED == result || Publication.NOT_CONNECTED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                return;
            }
            idleStrategy.idle();
        }
    }

    /**
     * A frame whose declared lengths do not fit it.
     */
    static final class MalformedException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        MalformedException(final String message)
        {
            super(message, null, false, false);
        }
    }
}
