package io.ferrite.replication;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.ferrite.codec.PartitionHash;
import io.ferrite.codec.RequestDecoder;
import io.ferrite.codec.RequestLimits;
import io.ferrite.codec.RequestListener;
import io.ferrite.codec.ResponseEncoders;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.CompareAndSetRequestDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestDecoder;
import io.ferrite.codec.sbe.InvalidateRequestDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import io.ferrite.codec.sbe.MultiGetResponseEncoder;
import io.ferrite.codec.sbe.PutRequestDecoder;
import io.ferrite.codec.sbe.StatsResponseEncoder;
import io.ferrite.engine.FerriteStore;
import io.ferrite.replication.datastore.DataStorePolicy;
import io.ferrite.transport.StatsResponses;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.LongPredicate;

/**
 * Applies the commands that reach a group member through the Raft log to the member's store and answers the
 * client's session (on followers Aeron drops the answers; only the leader's reach the client). Commands are decoded
 * by the shared {@link RequestDecoder} with the group's {@link RequestLimits}, the same decoder and limits as the
 * node and the group's stale-read endpoints; invalid input gets an error response naming the request's correlation
 * id and changes nothing.
 * <p>
 * Everything it does is deterministic: it sees only the log's bytes and the cluster's time (through the store's
 * clock). Writes are deduplicated by client instance id and correlation id ({@link RequestDeduplicator}), so a
 * write resent after a failover is answered with its first outcome; an instance id is bound to the session that
 * first wrote with it, and other open sessions presenting it are refused ({@code CLIENT_ID_IN_USE}). A resent write
 * whose outcome has left the client's window is refused ({@code OUTCOME_FORGOTTEN}), never applied twice. Each outcome
 * is recorded with its key's partition, so a move can hand a partition's outcomes to its new owner.
 * <b>Note:</b> not thread-safe; runs on the service thread.
 */
final class ClusterCommandHandler implements RequestListener
{
    static final int OFFER_ATTEMPTS = 1000;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ResponseEncoders responses = new ResponseEncoders();
    private final MultiGetResponseEncoder multiGetResponse = new MultiGetResponseEncoder();
    private final StatsResponseEncoder statsResponse = new StatsResponseEncoder();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(64 * 1024);
    private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer value = new UnsafeBuffer(0, 0);
    private final RequestDeduplicator deduplicator;
    private final RequestDecoder decoder;
    private final int maxResponseLength;
    private final int partitionCount;
    private FerriteStore store;
    private DataStorePolicy datastore;
    private IdleStrategy idleStrategy;
    private ClientSession session;
    private LongPredicate isSessionOpen;
    private long requests;
    private long errors;

    /**
     * @param maxResponseLength the longest answer that fits one egress message (an eighth of the term length, less
     *                          framing); longer answers become {@code RESPONSE_TOO_LARGE} errors.
     * @param partitionCount    partitions of the cluster, 0 for a group outside a partitioned cluster.
     */
    ClusterCommandHandler(
        final RequestDeduplicator deduplicator, final RequestLimits limits, final int maxResponseLength,
        final int partitionCount)
    {
        this.deduplicator = deduplicator;
        this.decoder = new RequestDecoder(limits, this);
        this.maxResponseLength = maxResponseLength;
        this.partitionCount = partitionCount;
    }

    /**
     * @param isSessionOpen whether a cluster session is still open (the service's view, which the log decides).
     */
    void store(final FerriteStore store, final IdleStrategy idleStrategy, final LongPredicate isSessionOpen)
    {
        this.store = store;
        this.idleStrategy = idleStrategy;
        this.isSessionOpen = isSessionOpen;
    }

    /**
     * Run the group's datastore policies (read-through, write-through, write-behind) around reads and writes.
     */
    void datastore(final DataStorePolicy datastore)
    {
        this.datastore = datastore;
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
        this.session = session;
        decoder.decode(buffer, offset, length);
        this.session = null;
    }

    public void onGet(
        final long clientId, final long correlationId, final DirectBuffer buffer, final int keyOffset,
        final int keyLength)
    {
        final boolean found = store.getView(buffer, keyOffset, keyLength, value);
        if (!found && null != datastore &&
            datastore.onGetMiss(session, correlationId, buffer, keyOffset, keyLength))
        {
            return;
        }
        if (found && value.capacity() + 64 > maxResponseLength)
        {
            onInvalidRequest(correlationId, GetRequestDecoder.TEMPLATE_ID, ErrorCode.RESPONSE_TOO_LARGE,
                "value of " + value.capacity() + " bytes does not fit one response of " + maxResponseLength);
            return;
        }
        send(responses.get(out, 0, correlationId, found ? value : null, 0, found ? value.capacity() : 0));
    }

    public void onPut(
        final long clientId,
        final long correlationId,
        final long ttlMs,
        final int mode,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength,
        final int valueOffset,
        final int valueLength)
    {
        if (!claim(clientId, correlationId, PutRequestDecoder.TEMPLATE_ID) ||
            answerDuplicate(clientId, correlationId, PutRequestDecoder.TEMPLATE_ID))
        {
            return;
        }
        if (null != datastore && datastore.beforeWrite(session, clientId, correlationId, PutRequestDecoder.TEMPLATE_ID,
            ttlMs, FerriteStore.PUT != mode, buffer, keyOffset, keyLength, valueOffset, valueLength))
        {
            return;
        }
        final int result = store.put(buffer, keyOffset, keyLength, buffer, valueOffset, valueLength, ttlMs, mode);
        if (null != datastore && FerriteStore.STORED == result)
        {
            datastore.afterWrite(buffer, keyOffset, keyLength, valueOffset, valueLength);
        }
        if (WriteTrace.ENABLED)
        {
            WriteTrace.applied("put" + mode, clientId, correlationId, result, buffer, keyOffset, keyLength, 0, -1,
                valueOffset, valueLength);
        }
        answerWrite(clientId, correlationId, result, PutRequestDecoder.TEMPLATE_ID, buffer, keyOffset, keyLength,
            valueLength);
    }

    public void onCompareAndSet(
        final long clientId,
        final long correlationId,
        final long ttlMs,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength,
        final int expectedOffset,
        final int expectedLength,
        final int valueOffset,
        final int valueLength)
    {
        if (!claim(clientId, correlationId, CompareAndSetRequestDecoder.TEMPLATE_ID) ||
            answerDuplicate(clientId, correlationId, CompareAndSetRequestDecoder.TEMPLATE_ID))
        {
            return;
        }
        if (null != datastore && datastore.beforeWrite(session, clientId, correlationId,
            CompareAndSetRequestDecoder.TEMPLATE_ID, ttlMs, true, buffer, keyOffset, keyLength, valueOffset,
            valueLength))
        {
            return;
        }
        final int result = store.compareAndSet(buffer, keyOffset, keyLength, buffer, expectedOffset, expectedLength,
            buffer, valueOffset, valueLength, ttlMs);
        if (null != datastore && FerriteStore.STORED == result)
        {
            datastore.afterWrite(buffer, keyOffset, keyLength, valueOffset, valueLength);
        }
        if (WriteTrace.ENABLED)
        {
            WriteTrace.applied("cas", clientId, correlationId, result, buffer, keyOffset, keyLength, expectedOffset,
                expectedLength, valueOffset, valueLength);
        }
        answerWrite(clientId, correlationId, result, CompareAndSetRequestDecoder.TEMPLATE_ID, buffer, keyOffset,
            keyLength, valueLength);
    }

    public void onDelete(
        final long clientId,
        final long correlationId,
        final int templateId,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength)
    {
        if (!claim(clientId, correlationId, templateId))
        {
            return;
        }
        final int known = deduplicator.resultOf(clientId, correlationId);
        final boolean deleted;
        if (RequestDeduplicator.FORGOTTEN == known)
        {
            refuseForgotten(clientId, correlationId, templateId);
            return;
        }
        if (RequestDeduplicator.UNKNOWN != known)
        {
            deleted = 1 == known;
            if (WriteTrace.ENABLED)
            {
                WriteTrace.duplicate(clientId, correlationId, templateId, deduplicator.ageOf(clientId, correlationId));
            }
        }
        else
        {
            final boolean invalidate = InvalidateRequestDecoder.TEMPLATE_ID == templateId;
            if (null != datastore && !invalidate && datastore.beforeWrite(session, clientId, correlationId,
                templateId, 0, false, buffer, keyOffset, keyLength, 0, -1))
            {
                return;
            }
            deleted = store.delete(buffer, keyOffset, keyLength);
            if (WriteTrace.ENABLED)
            {
                WriteTrace.applied("delete", clientId, correlationId, deleted ? 1 : 0, buffer, keyOffset, keyLength, 0,
                    -1, 0, -1);
            }
            if (null != datastore)
            {
                datastore.afterDelete(buffer, keyOffset, keyLength, invalidate);
            }
            deduplicator.record(clientId, correlationId, deleted ? 1 : 0, partitionOf(buffer, keyOffset, keyLength));
        }
        send(responses.delete(out, 0, correlationId, deleted));
    }

    public void onMultiGet(final long clientId, final long correlationId, final MultiGetRequestDecoder decoder)
    {
        final MultiGetRequestDecoder.KeysDecoder keys = decoder.keys();
        final MultiGetResponseEncoder.ValuesEncoder values = multiGetResponse
            .wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .valuesCount(keys.count());
        while (keys.hasNext())
        {
            keys.next();
            keys.wrapKey(key);
            final boolean found = store.getView(key, 0, key.capacity(), value) ||
                (null != datastore && datastore.readPending(key, 0, key.capacity(), value));
            if (MessageHeaderEncoder.ENCODED_LENGTH + multiGetResponse.encodedLength() + 5 +
                (found ? value.capacity() : 0) > maxResponseLength)
            {
                onInvalidRequest(correlationId, MultiGetRequestDecoder.TEMPLATE_ID, ErrorCode.RESPONSE_TOO_LARGE,
                    "multi-get values exceed one response of " + maxResponseLength + " bytes; ask for fewer keys");
                return;
            }
            values.next().found(found ? BooleanType.TRUE : BooleanType.FALSE);
            values.putValue(value, 0, found ? value.capacity() : 0);
        }
        send(MessageHeaderEncoder.ENCODED_LENGTH + multiGetResponse.encodedLength());
    }

    public void onPing(final long clientId, final long correlationId, final long timestampNs)
    {
        send(responses.pong(out, 0, correlationId, timestampNs));
    }

    public void onStats(final long clientId, final long correlationId)
    {
        send(StatsResponses.encode(statsResponse, headerEncoder, out, 0, correlationId, 0, 0,
            store.capacityBytes(), store.stats(), requests, errors, 0));
    }

    public void onInvalidRequest(
        final long correlationId, final int templateId, final ErrorCode code, final String reason)
    {
        errors++;
        send(responses.error(out, 0, correlationId, templateId, code, reason));
    }

    /**
     * Answer {@code session}'s request with an error without applying it (a command refused before decoding).
     */
    void refuse(
        final ClientSession session,
        final long correlationId,
        final int templateId,
        final ErrorCode code,
        final String reason)
    {
        this.session = session;
        onInvalidRequest(correlationId, templateId, code, reason);
        this.session = null;
    }

    /**
     * Bind {@code clientId} to the current session, or refuse the write if another open session owns it.
     */
    private boolean claim(final long clientId, final long correlationId, final int templateId)
    {
        if (deduplicator.claim(clientId, null == session ? RequestDeduplicator.NO_SESSION : session.id(),
            isSessionOpen))
        {
            return true;
        }
        onInvalidRequest(correlationId, templateId, ErrorCode.CLIENT_ID_IN_USE, "client id " +
            Long.toHexString(clientId) + " belongs to another open session; a session takes it over once that one " +
            "has closed");
        return false;
    }

    /**
     * Answer a write seen before with its first outcome, or refuse one whose outcome was forgotten.
     *
     * @return false if the write is new (to be applied).
     */
    private boolean answerDuplicate(final long clientId, final long correlationId, final int templateId)
    {
        final int known = deduplicator.resultOf(clientId, correlationId);
        if (RequestDeduplicator.UNKNOWN == known)
        {
            return false;
        }
        if (RequestDeduplicator.FORGOTTEN == known)
        {
            refuseForgotten(clientId, correlationId, templateId);
            return true;
        }
        if (WriteTrace.ENABLED)
        {
            WriteTrace.duplicate(clientId, correlationId, templateId, deduplicator.ageOf(clientId, correlationId));
        }
        send(responses.put(out, 0, correlationId, FerriteStore.STORED == known));
        return true;
    }

    private void refuseForgotten(final long clientId, final long correlationId, final int templateId)
    {
        if (WriteTrace.ENABLED)
        {
            WriteTrace.forgotten(clientId, correlationId, templateId);
        }
        onInvalidRequest(correlationId, templateId, ErrorCode.OUTCOME_FORGOTTEN, "write " + correlationId +
            " of client " + Long.toHexString(clientId) + " is older than the outcomes the group keeps for it (the " +
            "last " + RequestDeduplicator.WINDOW + " writes): it may have been applied, so it was not applied again");
    }

    private void answerWrite(
        final long clientId,
        final long correlationId,
        final int result,
        final int templateId,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength,
        final int valueLength)
    {
        if (FerriteStore.TOO_LARGE == result)
        {
            onInvalidRequest(correlationId, templateId, ErrorCode.VALUE_TOO_LARGE, "value of " + valueLength +
                " bytes exceeds the store's limit of " + store.maxValueLength(keyLength));
            return;
        }
        if (FerriteStore.INVALID_KEY == result)
        {
            onInvalidRequest(correlationId, templateId, ErrorCode.INVALID_KEY, "invalid key");
            return;
        }
        deduplicator.record(clientId, correlationId, result, partitionOf(buffer, keyOffset, keyLength));
        send(responses.put(out, 0, correlationId, FerriteStore.STORED == result));
    }

    private int partitionOf(final DirectBuffer buffer, final int keyOffset, final int keyLength)
    {
        return partitionCount > 0 ?
            PartitionHash.partition(buffer, keyOffset, keyLength, partitionCount) : RequestDeduplicator.ANY_PARTITION;
    }

    private void send(final int length)
    {
        if (null == session)
        {
            return;
        }
        idleStrategy.reset();
        long result = 0;
        for (int i = 0; i < OFFER_ATTEMPTS; i++)
        {
            result = session.offer(out, 0, length);
            if (result > 0)
            {
                if (WriteTrace.ENABLED && ClientSession.MOCKED_OFFER == result)
                {
                    WriteTrace.mocked(session.id(), out);
                }
                return;
            }
            if (Publication.CLOSED == result || Publication.NOT_CONNECTED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                break;
            }
            idleStrategy.idle();
        }
        if (WriteTrace.ENABLED)
        {
            WriteTrace.undelivered(session.id(), out, result);
        }
    }
}
