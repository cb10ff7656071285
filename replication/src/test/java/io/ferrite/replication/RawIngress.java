package io.ferrite.replication;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A cluster session that sends whatever bytes a test puts in {@link #buffer} as session messages (no Ferrite
 * client logic), with its own media driver, and records every response it gets.
 * <p>
 * <b>Note:</b> use from one thread.
 */
final class RawIngress implements AutoCloseable, EgressListener
{
    record Error(long correlationId, int templateId, ErrorCode code, String message)
    {
    }

    final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 1024 * 1024));
    final List<Error> errors = new CopyOnWriteArrayList<>();
    long responses;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final MediaDriver driver;
    private final AeronCluster cluster;

    RawIngress(final GroupTopology topology)
    {
        this(topology, null);
    }

    /**
     * @param credentials what the session presents (wire form), null for none.
     */
    RawIngress(final GroupTopology topology, final byte[] credentials)
    {
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName("/dev/shm/ferrite-raw-ingress-" + ThreadLocalRandom.current().nextInt(1 << 30))
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        try
        {
            cluster = AeronCluster.connect(new AeronCluster.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .ingressChannel("aeron:udp?term-length=16m")
                .ingressEndpoints(topology.ingressEndpoints(0))
                .egressChannel("aeron:udp?endpoint=127.0.0.1:0|term-length=16m")
                .egressListener(this)
                .credentialsSupplier(io.ferrite.transport.CredentialsVerifier.credentialsSupplier(credentials))
                .messageTimeoutNs(10_000_000_000L));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /**
     * Offer {@code length} bytes of {@link #buffer}, polling egress while back pressured.
     */
    void send(final int length)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (cluster.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("ingress refused a frame of " + length + " bytes for 10 s");
            }
            poll();
            Thread.yield();
        }
    }

    int poll()
    {
        return cluster.pollEgress();
    }

    void sendKeepAlive()
    {
        cluster.sendKeepAlive();
    }

    long clusterSessionId()
    {
        return cluster.clusterSessionId();
    }

    /**
     * Poll until {@code count} responses arrived in all, or fail after {@code timeoutMs}.
     */
    void awaitResponses(final long count, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (responses < count)
        {
            if (0 == poll())
            {
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("got " + responses + " responses, expected " + count);
                }
                Thread.yield();
            }
        }
    }

    Error awaitError(final long timeoutMs)
    {
        final int before = errors.size();
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (errors.size() == before)
        {
            if (0 == poll())
            {
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("no error response within " + timeoutMs + " ms");
                }
                Thread.yield();
            }
        }
        return errors.get(before);
    }

    public void onMessage(
        final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset,
        final int length, final Header header)
    {
        responses++;
        this.header.wrap(buffer, offset);
        if (ErrorResponseDecoder.TEMPLATE_ID == this.header.templateId())
        {
            errorDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, this.header.blockLength(),
                this.header.version());
            errors.add(new Error(errorDecoder.correlationId(), errorDecoder.requestTemplateId(), errorDecoder.code(),
                errorDecoder.message()));
        }
    }

    public void close()
    {
        CloseHelper.closeAll(cluster, driver);
    }
}
