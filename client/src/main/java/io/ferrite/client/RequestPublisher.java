package io.ferrite.client;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.logbuffer.BufferClaim;
import io.ferrite.codec.sbe.CompareAndSetRequestEncoder;
import io.ferrite.codec.sbe.ConnectRequestEncoder;
import io.ferrite.codec.sbe.DeleteRequestEncoder;
import io.ferrite.codec.sbe.DisconnectRequestEncoder;
import io.ferrite.codec.sbe.GetRequestEncoder;
import io.ferrite.codec.sbe.InvalidateRequestEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestEncoder;
import io.ferrite.codec.sbe.PartitionMapRequestEncoder;
import io.ferrite.codec.sbe.PingRequestEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import io.ferrite.codec.sbe.StatsRequestEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.List;

/**
 * Encodes requests straight into the term of a node's publication, or of a group's ingress publication behind its
 * cluster session header, with {@code tryClaim} when they fit one frame, otherwise into a send buffer that is offered
 * (and fragmented by Aeron). Each method returns the Aeron result: positive when sent, else
 * {@code Publication.BACK_PRESSURED} and friends ({@code Publication.NOT_CONNECTED} while no target is set).
 * The one encoder of every request the client sends, whatever the transport.
 * <p>
 * <b>Note:</b> not thread-safe; the client calls it under its lock.
 */
final class RequestPublisher
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int VAR_DATA_HEADER = 4;

    private final BufferClaim bufferClaim = new BufferClaim();
    private final ExpandableDirectByteBuffer sendBuffer = new ExpandableDirectByteBuffer(4096);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConnectRequestEncoder connectEncoder = new ConnectRequestEncoder();
    private final DisconnectRequestEncoder disconnectEncoder = new DisconnectRequestEncoder();
    private final GetRequestEncoder getEncoder = new GetRequestEncoder();
    private final PutRequestEncoder putEncoder = new PutRequestEncoder();
    private final DeleteRequestEncoder deleteEncoder = new DeleteRequestEncoder();
    private final InvalidateRequestEncoder invalidateEncoder = new InvalidateRequestEncoder();
    private final MultiGetRequestEncoder multiGetEncoder = new MultiGetRequestEncoder();
    private final PingRequestEncoder pingEncoder = new PingRequestEncoder();
    private final StatsRequestEncoder statsEncoder = new StatsRequestEncoder();
    private final CompareAndSetRequestEncoder casEncoder = new CompareAndSetRequestEncoder();
    private final PartitionMapRequestEncoder mapEncoder = new PartitionMapRequestEncoder();
    private final long clientId;
    private ExclusivePublication publication;
    private AeronCluster cluster;
    private MutableDirectBuffer buffer;
    private int offset;
    private boolean claimed;
    private long failure;

    RequestPublisher(final long clientId)
    {
        this.clientId = clientId;
    }

    /**
     * Send to a node's request publication.
     */
    void target(final ExclusivePublication publication)
    {
        this.publication = publication;
        this.cluster = null;
    }

    /**
     * Send to a group's ingress, behind the cluster session header ({@code null}: no session now).
     */
    void target(final AeronCluster cluster)
    {
        this.cluster = cluster;
        this.publication = null;
    }

    long compareAndSet(
        final long correlationId,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer expected,
        final int expectedOffset,
        final int expectedLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long ttlMs)
    {
        if (!begin(HEADER + CompareAndSetRequestEncoder.BLOCK_LENGTH + 3 * VAR_DATA_HEADER + keyLength +
            expectedLength + valueLength))
        {
            return failure;
        }
        casEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .ttlMs(ttlMs)
            .putKey(key, keyOffset, keyLength)
            .putExpected(expected, expectedOffset, expectedLength)
            .putValue(value, valueOffset, valueLength);
        return commit(HEADER + casEncoder.encodedLength());
    }

    long partitionMap(final long correlationId)
    {
        if (!begin(HEADER + PartitionMapRequestEncoder.BLOCK_LENGTH))
        {
            return failure;
        }
        mapEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId);
        return commit(HEADER + mapEncoder.encodedLength());
    }

    /**
     * @param credentials the client's credentials in {@code Credentials}' wire form, or null for none (the field is
     *                    then left out, so nodes that predate it read the connect unchanged).
     */
    long connect(
        final long correlationId, final int responseStreamId, final String responseChannel, final byte[] credentials)
    {
        final int credentialsLength = null == credentials ? 0 : VAR_DATA_HEADER + credentials.length;
        if (!begin(HEADER + ConnectRequestEncoder.BLOCK_LENGTH + 2 + responseChannel.length() + credentialsLength))
        {
            return failure;
        }
        connectEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .responseStreamId(responseStreamId)
            .responseChannel(responseChannel);
        if (null != credentials)
        {
            connectEncoder.putCredentials(credentials, 0, credentials.length);
        }
        return commit(HEADER + connectEncoder.encodedLength());
    }

    long disconnect(final long correlationId)
    {
        if (!begin(HEADER + DisconnectRequestEncoder.BLOCK_LENGTH))
        {
            return failure;
        }
        disconnectEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId);
        return commit(HEADER + disconnectEncoder.encodedLength());
    }

    long get(final long correlationId, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        if (!begin(HEADER + GetRequestEncoder.BLOCK_LENGTH + VAR_DATA_HEADER + keyLength))
        {
            return failure;
        }
        getEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .putKey(key, keyOffset, keyLength);
        return commit(HEADER + getEncoder.encodedLength());
    }

    long put(
        final long correlationId,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long ttlMs,
        final PutMode mode)
    {
        if (!begin(HEADER + PutRequestEncoder.BLOCK_LENGTH + VAR_DATA_HEADER + keyLength + VAR_DATA_HEADER +
            valueLength))
        {
            return failure;
        }
        putEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .ttlMs(ttlMs)
            .mode(mode)
            .putKey(key, keyOffset, keyLength)
            .putValue(value, valueOffset, valueLength);
        return commit(HEADER + putEncoder.encodedLength());
    }

    long delete(
        final long correlationId,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final boolean invalidate)
    {
        if (!begin(HEADER + DeleteRequestEncoder.BLOCK_LENGTH + VAR_DATA_HEADER + keyLength))
        {
            return failure;
        }
        final int length;
        if (invalidate)
        {
            invalidateEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .clientId(clientId)
                .correlationId(correlationId)
                .putKey(key, keyOffset, keyLength);
            length = HEADER + invalidateEncoder.encodedLength();
        }
        else
        {
            deleteEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .clientId(clientId)
                .correlationId(correlationId)
                .putKey(key, keyOffset, keyLength);
            length = HEADER + deleteEncoder.encodedLength();
        }
        return commit(length);
    }

    long multiGet(final long correlationId, final List<byte[]> keys)
    {
        int length = HEADER + MultiGetRequestEncoder.BLOCK_LENGTH + 4;
        for (int i = 0, n = keys.size(); i < n; i++)
        {
            length += VAR_DATA_HEADER + keys.get(i).length;
        }
        if (!begin(length))
        {
            return failure;
        }
        final MultiGetRequestEncoder.KeysEncoder keysEncoder = multiGetEncoder
            .wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .keysCount(keys.size());
        for (int i = 0, n = keys.size(); i < n; i++)
        {
            final byte[] key = keys.get(i);
            keysEncoder.next().putKey(key, 0, key.length);
        }
        return commit(HEADER + multiGetEncoder.encodedLength());
    }

    long ping(final long correlationId, final long timestampNs)
    {
        if (!begin(HEADER + PingRequestEncoder.BLOCK_LENGTH))
        {
            return failure;
        }
        pingEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .timestampNs(timestampNs);
        return commit(HEADER + pingEncoder.encodedLength());
    }

    long stats(final long correlationId)
    {
        if (!begin(HEADER + StatsRequestEncoder.BLOCK_LENGTH))
        {
            return failure;
        }
        statsEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId);
        return commit(HEADER + statsEncoder.encodedLength());
    }

    private boolean begin(final int length)
    {
        if (null != cluster)
        {
            if (length <= cluster.ingressPublication().maxPayloadLength() - AeronCluster.SESSION_HEADER_LENGTH)
            {
                final long result = cluster.tryClaim(length, bufferClaim);
                if (result <= 0)
                {
                    failure = result;
                    return false;
                }
                buffer = bufferClaim.buffer();
                offset = bufferClaim.offset() + AeronCluster.SESSION_HEADER_LENGTH;
                claimed = true;
                return true;
            }
        }
        else if (null == publication)
        {
            failure = Publication.NOT_CONNECTED;
            return false;
        }
        else if (length <= publication.maxPayloadLength())
        {
            final long result = publication.tryClaim(length, bufferClaim);
            if (result <= 0)
            {
                failure = result;
                return false;
            }
            buffer = bufferClaim.buffer();
            offset = bufferClaim.offset();
            claimed = true;
            return true;
        }
        buffer = sendBuffer;
        offset = 0;
        claimed = false;
        return true;
    }

    private long commit(final int length)
    {
        if (claimed)
        {
            bufferClaim.commit();
            return 1;
        }
        return null != cluster ? cluster.offer(sendBuffer, 0, length) : publication.offer(sendBuffer, 0, length);
    }
}
