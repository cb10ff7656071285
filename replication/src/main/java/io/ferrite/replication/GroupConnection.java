package io.ferrite.replication;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.Credentials;
import io.ferrite.transport.CredentialsVerifier;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * A blocking, one-request-at-a-time connection to one replica group, for control traffic (map queries, migration
 * steps, plans): each request goes through the group's log and is answered by its leader. The connection follows
 * leader changes and reconnects, resending the request in flight; migration steps are idempotent, so a resent step
 * is harmless. An {@code ErrorResponse} becomes a {@link GroupRequestException} carrying its code.
 * <p>
 * Every response of the control protocol starts its block with the correlation id, which is how answers are
 * matched. <b>Note:</b> not thread-safe; one thread at a time.
 */
final class GroupConnection implements AutoCloseable
{
    private final int group;
    private final String ingressEndpoints;
    private final String aeronDirectoryName;
    private final String egressHost;
    private final long timeoutNs;
    private final int termLength;
    private final long clientId;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final ExpandableArrayBuffer request = new ExpandableArrayBuffer(64 * 1024);
    private final ExpandableArrayBuffer response = new ExpandableArrayBuffer(64 * 1024);
    private final UnsafeBuffer responseView = new UnsafeBuffer(0, 0);
    private final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1000, TimeUnit.MICROSECONDS.toNanos(200));
    private final Egress egress = new Egress();
    private AeronCluster cluster;
    private long nextCorrelationId;
    private long awaitedCorrelationId = Long.MIN_VALUE;
    private int responseLength = -1;
    private boolean resend;

    GroupConnection(
        final int group, final String ingressEndpoints, final String aeronDirectoryName, final String egressHost,
        final long timeoutNs, final int termLength, final long clientId)
    {
        this.group = group;
        this.ingressEndpoints = ingressEndpoints;
        this.aeronDirectoryName = aeronDirectoryName;
        this.egressHost = egressHost;
        this.timeoutNs = timeoutNs;
        this.termLength = termLength;
        this.clientId = clientId;
    }

    int group()
    {
        return group;
    }

    long clientId()
    {
        return clientId;
    }

    /**
     * Something that encodes one request (header included) at offset 0 of a buffer.
     */
    @FunctionalInterface
    interface RequestWriter
    {
        /**
         * @return the encoded length.
         */
        int write(MutableDirectBuffer buffer, long clientId, long correlationId);
    }

    /**
     * Send a request and wait for its answer.
     *
     * @return a view of the answer (header included), valid until the next request.
     * @throws GroupRequestException if the group answered with an error.
     * @throws ReplicationException  if no answer came within the timeout.
     */
    DirectBuffer request(final RequestWriter writer)
    {
        final long correlationId = ++nextCorrelationId;
        final int length = writer.write(request, clientId, correlationId);
        awaitedCorrelationId = correlationId;
        responseLength = -1;
        final long deadline = System.nanoTime() + timeoutNs;
        boolean sent = false;
        idle.reset();
        while (responseLength < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new ReplicationException("group " + group + " did not answer within " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (no leader reachable at " + ingressEndpoints + ")");
            }
            int work = 0;
            if (null == cluster || cluster.isClosed())
            {
                CloseHelper.quietClose(cluster);
                cluster = null;
                try
                {
                    cluster = connect();
                    sent = false;
                }
                catch (final RuntimeException ex)
                {
                    idle.idle();
                    continue;
                }
            }
            if (resend)
            {
                resend = false;
                sent = false;
            }
            if (!sent)
            {
                sent = cluster.offer(request, 0, length) > 0;
                work++;
            }
            work += cluster.pollEgress();
            idle.idle(work);
        }
        responseView.wrap(response, 0, responseLength);
        header.wrap(responseView, 0);
        if (ErrorResponseDecoder.TEMPLATE_ID == header.templateId())
        {
            errorDecoder.wrap(responseView, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(),
                header.version());
            throw new GroupRequestException(group, errorDecoder.code(), errorDecoder.message());
        }
        return responseView;
    }

    private AeronCluster connect()
    {
        final String params = "term-length=" + termLength;
        return AeronCluster.connect(new AeronCluster.Context()
            .aeronDirectoryName(aeronDirectoryName)
            .ingressChannel("aeron:udp?" + params)
            .ingressEndpoints(ingressEndpoints)
            .egressChannel("aeron:udp?endpoint=" + egressHost + ":0|" + params)
            .egressListener(egress)
            .credentialsSupplier(CredentialsVerifier.credentialsSupplier(Credentials.login()))
            .messageTimeoutNs(Math.min(timeoutNs, TimeUnit.SECONDS.toNanos(5))));
    }

    /**
     * Keep the session alive between requests (sessions time out after about 10 s without traffic).
     */
    void keepAlive()
    {
        if (null != cluster && !cluster.isClosed())
        {
            cluster.sendKeepAlive();
            cluster.pollEgress();
        }
    }

    public void close()
    {
        CloseHelper.quietClose(cluster);
        cluster = null;
    }

    private final class Egress implements EgressListener
    {
        private final MessageHeaderDecoder egressHeader = new MessageHeaderDecoder();

        public void onMessage(
            final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset,
            final int length, final Header hdr)
        {
            if (length < MessageHeaderDecoder.ENCODED_LENGTH + 8)
            {
                return;
            }
            egressHeader.wrap(buffer, offset);
            final long correlationId =
                buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, java.nio.ByteOrder.LITTLE_ENDIAN);
            if (correlationId == awaitedCorrelationId && responseLength < 0)
            {
                response.putBytes(0, buffer, offset, length);
                responseLength = length;
            }
        }

        public void onNewLeader(
            final long clusterSessionId, final long leadershipTermId, final int leaderMemberId,
            final String ingressEndpoints)
        {
            resend = true;
        }
    }
}
