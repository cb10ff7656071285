package io.ferrite.replication;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteClient;
import io.ferrite.codec.PartitionHash;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.CompareAndSetRequestEncoder;
import io.ferrite.codec.sbe.DeleteRequestEncoder;
import io.ferrite.codec.sbe.DeleteResponseDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PartitionRedirectResponseDecoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import io.ferrite.codec.sbe.PutResponseDecoder;
import io.ferrite.codec.sbe.PutStatus;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write that the source group applied before its partition moved, and whose answer the client never saw, is
 * resent after the cut-over with its original client id and correlation id: the partition's new owner answers it
 * with the source's outcome and does not apply it again, for a put (a later write by another client stays), a
 * put-if-absent, a delete and a compare-and-set, also after a snapshot and a restart of every member, and also when
 * the source has forgotten the write and redirects the resend (what a {@link FerriteClient} then follows).
 * <p>
 * Two groups of three members, each of the three nodes in this JVM hosting a member of both groups; the writes and
 * resends are raw requests on cluster sessions, so the ids are the test's.
 */
class MigrationDedupTest
{
    private static final int PARTITIONS = 16;
    private static final GroupTopology TOPOLOGY = GroupTopology.local(3, 9000);
    private static final long CLIENT_ID = 0x0DED_0D0E_0000_0001L;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    File tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<ReplicaNode> nodes = new ArrayList<>();
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

    @AfterEach
    void tearDown()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        nodes.forEach(CloseHelper::quietClose);
    }

    @Test
    @Timeout(240)
    void shouldAnswerAWriteResentAfterAMoveWithTheSourcesOutcomeWithoutApplyingItAgain() throws Exception
    {
        TestPorts.requireOutsideEphemeralRange(TOPOLOGY, 0, 1);
        launch(true);
        final String[] endpoints = { TOPOLOGY.ingressEndpoints(0), TOPOLOGY.ingressEndpoints(1) };
        final int moved;
        final int kept;
        try (ClusterAdmin admin = new ClusterAdmin(endpoints, null, TIMEOUT_NS);
            RawSessions raw = new RawSessions())
        {
            final PartitionMap map = admin.partitionMap();
            moved = partitionOwnedBy(map, 0, -1);
            kept = partitionOwnedBy(map, 0, moved);
            assertEquals(PutStatus.STORED, raw.put(0, 1, keyIn(moved, 3), "doomed", PutMode.UPSERT));
            assertEquals(PutStatus.STORED, raw.put(0, 2, keyIn(moved, 4), "x", PutMode.UPSERT));

            // the writes whose answers "were lost": group 0 applied each once
            assertEquals(PutStatus.STORED, raw.put(0, 10, keyIn(moved, 1), "1", PutMode.UPSERT));
            assertEquals(PutStatus.STORED, raw.put(0, 11, keyIn(moved, 2), "a", PutMode.PUT_IF_ABSENT));
            assertEquals(Boolean.TRUE, raw.delete(0, 12, keyIn(moved, 3)));
            assertEquals(PutStatus.STORED, raw.compareAndSet(0, 13, keyIn(moved, 4), "x", "y"));
            assertEquals(PutStatus.STORED, raw.put(0, 14, keyIn(moved, 5), "5", PutMode.UPSERT));

            admin.submitPlan(List.of(new PlannedMove(moved, 0, 1)));
            final PlanStatus done = new PartitionMover(admin, 0, 64, 64 * 1024, new Quiet()).apply();
            assertNull(done.running(), "the move must finish: " + done);
            assertEquals(1, admin.partitionMap().owner(moved));
        }
        try (FerriteClient other = FerriteClient.connect(new ClientContext()
            .cluster(endpoints).requestTimeout(Duration.ofSeconds(20))))
        {
            // another client's later writes, through the new owner
            other.put(bytes(keyIn(moved, 1)), bytes("2"));
            other.put(bytes(keyIn(moved, 5)), bytes("later"));
        }

        // the outcomes group 1 received must survive its snapshot and a restart of every member
        snapshotEveryMember(1);
        nodes.forEach(CloseHelper::quietClose);
        nodes.clear();
        launch(false);

        try (RawSessions raw = new RawSessions();
            FerriteClient reader = FerriteClient.connect(new ClientContext()
                .cluster(endpoints).requestTimeout(Duration.ofSeconds(20))))
        {
            // group 0 keeps a window of 256 outcomes per client: 300 more writes of this client there push the
            // moved partition's out, so group 0 no longer knows the resend and redirects it, as a client follows
            for (long correlationId = 100; correlationId < 400; correlationId++)
            {
                assertEquals(PutStatus.STORED, raw.put(0, correlationId, keyIn(kept, 0), "filler", PutMode.UPSERT));
            }
            final Response redirect = raw.request(0, raw.encodePut(14, keyIn(moved, 5), "5", PutMode.UPSERT), 14);
            assertEquals(PartitionRedirectResponseDecoder.TEMPLATE_ID, redirect.templateId,
                "group 0 must have forgotten write 14 and redirect it: " + redirect);
            assertEquals(ErrorCode.PARTITION_MOVED, redirect.code);
            assertEquals(1, redirect.owner);

            // the resends reach the new owner with their original ids
            assertEquals(PutStatus.STORED, raw.put(1, 10, keyIn(moved, 1), "1", PutMode.UPSERT),
                "the put was stored at group 0");
            assertEquals(PutStatus.STORED, raw.put(1, 11, keyIn(moved, 2), "a", PutMode.PUT_IF_ABSENT),
                "the put-if-absent stored its value at group 0; a second application would answer not stored");
            assertEquals(Boolean.TRUE, raw.delete(1, 12, keyIn(moved, 3)),
                "the delete removed the entry at group 0; a second application would answer not deleted");
            assertEquals(PutStatus.STORED, raw.compareAndSet(1, 13, keyIn(moved, 4), "x", "y"),
                "the compare-and-set swapped at group 0; a second application would answer not stored");
            assertEquals(PutStatus.STORED, raw.put(1, 14, keyIn(moved, 5), "5", PutMode.UPSERT),
                "the redirected put was stored at group 0");

            assertArrayEquals(bytes("2"), reader.get(bytes(keyIn(moved, 1))),
                "the resent put of 1 must not be applied again over another client's later write of 2");
            assertArrayEquals(bytes("a"), reader.get(bytes(keyIn(moved, 2))));
            assertNull(reader.get(bytes(keyIn(moved, 3))));
            assertArrayEquals(bytes("y"), reader.get(bytes(keyIn(moved, 4))));
            assertArrayEquals(bytes("later"), reader.get(bytes(keyIn(moved, 5))),
                "the redirected resend must not be applied again over the later write");
        }
        final List<Throwable> real = ErrorFilter.realErrors(errors);
        assertTrue(real.isEmpty(), "errors: " + real);
    }

    private void launch(final boolean fresh)
    {
        for (int m = 0; m < 3; m++)
        {
            nodes.add(ReplicaNode.launch(new ReplicaNodeContext()
                .memberId(m)
                .topology(TOPOLOGY)
                .groups(0, 1)
                .partitionCount(PARTITIONS)
                .clusterGroupCount(2)
                .baseDir(new File(tempDir, "node-" + m))
                .deleteOnStart(fresh)
                .errorHandler(errors::add)
                .storeCapacityBytes(8L * 1024 * 1024)));
        }
    }

    private void snapshotEveryMember(final int group)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long pauseMs = 10;
        while (true)
        {
            boolean all = true;
            for (final ReplicaNode node : nodes)
            {
                all &= node.service(group).snapshots() >= 1;
            }
            if (all)
            {
                return;
            }
            for (final ReplicaNode node : nodes)
            {
                node.requestSnapshot(group);
            }
            assertTrue(System.nanoTime() < deadline, "group " + group + " took no snapshot within 60 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs));
            pauseMs = Math.min(200, pauseMs * 2);
        }
    }

    private static int partitionOwnedBy(final PartitionMap map, final int group, final int except)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            if (map.owner(p) == group && p != except)
            {
                return p;
            }
        }
        throw new AssertionError("group " + group + " owns no partition but " + except);
    }

    private static String keyIn(final int partition, final int nth)
    {
        int seen = 0;
        for (int i = 0; ; i++)
        {
            if (PartitionHash.partition(bytes("k" + i), PARTITIONS) == partition && seen++ == nth)
            {
                return "k" + i;
            }
        }
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One decoded answer.
     */
    record Response(int templateId, PutStatus status, Boolean deleted, ErrorCode code, int owner, String message)
    {
    }

    /**
     * A raw cluster session to each group (one media driver), sending requests with {@link #CLIENT_ID} and the
     * test's correlation ids, and waiting for each answer. <b>Note:</b> one thread.
     */
    private static final class RawSessions implements AutoCloseable, EgressListener
    {
        private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final PutRequestEncoder putEncoder = new PutRequestEncoder();
        private final DeleteRequestEncoder deleteEncoder = new DeleteRequestEncoder();
        private final CompareAndSetRequestEncoder casEncoder = new CompareAndSetRequestEncoder();
        private final PutResponseDecoder putDecoder = new PutResponseDecoder();
        private final DeleteResponseDecoder deleteDecoder = new DeleteResponseDecoder();
        private final PartitionRedirectResponseDecoder redirectDecoder = new PartitionRedirectResponseDecoder();
        private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
        private final MediaDriver driver;
        private final AeronCluster[] groups = new AeronCluster[2];
        private long awaited = Long.MIN_VALUE;
        private Response answer;

        RawSessions()
        {
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName("/dev/shm/ferrite-dedup-raw-" + ThreadLocalRandom.current().nextInt(1 << 30))
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            try
            {
                for (int g = 0; g < groups.length; g++)
                {
                    groups[g] = AeronCluster.connect(new AeronCluster.Context()
                        .aeronDirectoryName(driver.aeronDirectoryName())
                        .ingressChannel("aeron:udp?term-length=16m")
                        .ingressEndpoints(TOPOLOGY.ingressEndpoints(g))
                        .egressChannel("aeron:udp?endpoint=127.0.0.1:0|term-length=16m")
                        .egressListener(this)
                        .messageTimeoutNs(TIMEOUT_NS));
                }
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        PutStatus put(final int group, final long correlationId, final String key, final String value,
            final PutMode mode)
        {
            final Response response = request(group, encodePut(correlationId, key, value, mode), correlationId);
            assertEquals(PutResponseDecoder.TEMPLATE_ID, response.templateId, "put " + correlationId + ": " + response);
            return response.status;
        }

        Boolean delete(final int group, final long correlationId, final String key)
        {
            final byte[] k = bytes(key);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + deleteEncoder
                .wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(CLIENT_ID).correlationId(correlationId).putKey(k, 0, k.length).encodedLength();
            final Response response = request(group, length, correlationId);
            assertEquals(DeleteResponseDecoder.TEMPLATE_ID, response.templateId,
                "delete " + correlationId + ": " + response);
            return response.deleted;
        }

        PutStatus compareAndSet(
            final int group, final long correlationId, final String key, final String expected, final String value)
        {
            final byte[] k = bytes(key);
            final byte[] e = bytes(expected);
            final byte[] v = bytes(value);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + casEncoder
                .wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(CLIENT_ID).correlationId(correlationId).ttlMs(0)
                .putKey(k, 0, k.length).putExpected(e, 0, e.length).putValue(v, 0, v.length).encodedLength();
            final Response response = request(group, length, correlationId);
            assertEquals(PutResponseDecoder.TEMPLATE_ID, response.templateId, "cas " + correlationId + ": " + response);
            return response.status;
        }

        int encodePut(final long correlationId, final String key, final String value, final PutMode mode)
        {
            final byte[] k = bytes(key);
            final byte[] v = bytes(value);
            return MessageHeaderEncoder.ENCODED_LENGTH + putEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(CLIENT_ID).correlationId(correlationId).ttlMs(0).mode(mode)
                .putKey(k, 0, k.length).putValue(v, 0, v.length).encodedLength();
        }

        /**
         * Send the encoded request in the buffer to {@code group}'s leader and wait for its answer; a request refused
         * because a closed session of this client id has not yet timed out at the group is sent again.
         */
        Response request(final int group, final int length, final long correlationId)
        {
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            long pauseMs = 1;
            while (true)
            {
                awaited = correlationId;
                answer = null;
                while (groups[group].offer(buffer, 0, length) < 0)
                {
                    poll(group, deadline, "ingress of group " + group + " refused request " + correlationId);
                }
                while (null == answer)
                {
                    poll(group, deadline, "no answer from group " + group + " to request " + correlationId);
                }
                if (ErrorCode.CLIENT_ID_IN_USE != answer.code)
                {
                    return answer;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs));
                pauseMs = Math.min(100, pauseMs * 2);
            }
        }

        private void poll(final int group, final long deadline, final String failure)
        {
            if (0 == groups[group].pollEgress())
            {
                assertTrue(System.nanoTime() < deadline, failure);
                groups[group].sendKeepAlive();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        public void onMessage(
            final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset,
            final int length, final Header header)
        {
            this.header.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            final int blockLength = this.header.blockLength();
            final int version = this.header.version();
            final int templateId = this.header.templateId();
            switch (templateId)
            {
                case PutResponseDecoder.TEMPLATE_ID:
                    putDecoder.wrap(buffer, body, blockLength, version);
                    if (putDecoder.correlationId() == awaited)
                    {
                        answer = new Response(templateId, putDecoder.status(), null, null, -1, null);
                    }
                    break;
                case DeleteResponseDecoder.TEMPLATE_ID:
                    deleteDecoder.wrap(buffer, body, blockLength, version);
                    if (deleteDecoder.correlationId() == awaited)
                    {
                        answer = new Response(templateId, null, BooleanType.TRUE == deleteDecoder.deleted(), null, -1,
                            null);
                    }
                    break;
                case PartitionRedirectResponseDecoder.TEMPLATE_ID:
                    redirectDecoder.wrap(buffer, body, blockLength, version);
                    if (redirectDecoder.correlationId() == awaited)
                    {
                        answer = new Response(templateId, null, null, redirectDecoder.code(),
                            redirectDecoder.ownerGroup(), null);
                    }
                    break;
                case ErrorResponseDecoder.TEMPLATE_ID:
                    errorDecoder.wrap(buffer, body, blockLength, version);
                    if (errorDecoder.correlationId() == awaited)
                    {
                        final ErrorCode code = errorDecoder.code();
                        answer = new Response(templateId, null, null, code, -1, errorDecoder.message());
                    }
                    break;
                default:
                    break;
            }
        }

        public void close()
        {
            for (final AeronCluster group : groups)
            {
                CloseHelper.quietClose(group);
            }
            CloseHelper.quietClose(driver);
        }
    }

    private static final class Quiet implements PartitionMover.ProgressListener
    {
        public void onProgress(final MoveStatus move, final long queued, final long elapsedNs)
        {
        }

        public void onDone(final MoveStatus move, final long pauseNs)
        {
        }
    }
}
