package io.ferrite.replication;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.security.AuthenticationException;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.CompareAndSetRequestEncoder;
import io.ferrite.codec.sbe.DeleteRequestEncoder;
import io.ferrite.codec.sbe.DeleteResponseDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.PartitionRedirectResponseDecoder;
import io.ferrite.codec.sbe.GetRequestEncoder;
import io.ferrite.codec.sbe.GetResponseDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import io.ferrite.codec.sbe.PutResponseDecoder;
import io.ferrite.codec.sbe.PutStatus;
import io.ferrite.transport.CacheAside;
import io.ferrite.transport.ClientContext;
import io.ferrite.transport.CredentialsVerifier;
import io.ferrite.transport.FerriteClient;
import io.ferrite.transport.FerriteException;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Client of one replica group. Every request goes through the group's Raft log and is answered by the leader,
 * so reads are linearizable and a write returns only once a majority has it.
 * <p>
 * The client follows leader changes: requests in flight when a new leader is announced (or when the session has
 * to be re-established) are sent again with their original correlation ids; members remember the outcome of
 * each client instance's recent writes, so a resent write is never applied twice and is answered with its first
 * outcome. The identity they remember it by is a random {@link #instanceId() instance id} drawn for each client,
 * bound by each group to the session that first writes with it: a restarted process starts a new identity (and
 * loses no write to its predecessor's outcomes), and another session cannot pass itself off as this client.
 * Requests that get no answer within the request timeout fail with {@link ReplicationException}.
 * <p>
 * <b>Note:</b> thread-safe. Blocking calls drive the connection on the caller's thread while they wait (lowest
 * latency for a single caller); a background thread drives it for asynchronous requests and keep-alives.
 */
public final class ReplicatedClient implements AutoCloseable
{
    private static final long KEEP_ALIVE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long ID_IN_USE_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ReplicatedClientContext ctx;
    private final CacheAside cacheAside = new CacheAside(new CacheAside.Cache()
    {
        public byte[] get(final byte[] key)
        {
            return ReplicatedClient.this.get(key);
        }

        public void put(final byte[] key, final byte[] value, final long ttlMs)
        {
            ReplicatedClient.this.put(key, value, ttlMs);
        }
    }, 0, 0, 60_000);
    private final MediaDriver driver;
    private final String aeronDirectoryName;
    private final ReentrantLock lock = new ReentrantLock();
    private final Long2ObjectHashMap<Pending> pending = new Long2ObjectHashMap<>();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GetRequestEncoder getRequest = new GetRequestEncoder();
    private final PutRequestEncoder putRequest = new PutRequestEncoder();
    private final DeleteRequestEncoder deleteRequest = new DeleteRequestEncoder();
    private final CompareAndSetRequestEncoder casRequest = new CompareAndSetRequestEncoder();
    private final ExpandableDirectByteBuffer encodeBuffer = new ExpandableDirectByteBuffer(4096);
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(0, 0);
    private final Egress egress = new Egress();
    private final Thread poller;
    private AeronCluster cluster;
    private long nextCorrelationId;
    private boolean resendAll;
    private long lastKeepAliveNs;
    private volatile boolean running = true;
    private volatile int leaderMemberId = -1;
    private FerriteClient staleClient;
    private int staleMember = -1;

    private ReplicatedClient(final ReplicatedClientContext ctx)
    {
        this.ctx = ctx;
        if (null == ctx.aeronDirectoryName())
        {
            final File shm = new File("/dev/shm");
            final String dir = new File(shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir")),
                "ferrite-client-" + Long.toHexString(ctx.instanceId())).getPath();
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1000, ctx.maxParkNs()))
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            aeronDirectoryName = driver.aeronDirectoryName();
        }
        else
        {
            driver = null;
            aeronDirectoryName = ctx.aeronDirectoryName();
        }
        try
        {
            cluster = connect();
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
        poller = new Thread(this::pollLoop, "ferrite-client-" + ctx.clientId());
        poller.setDaemon(true);
        poller.start();
    }

    /**
     * Connect to the group named by {@code ctx}'s ingress endpoints.
     *
     * @throws ReplicationException if no leader answers within the connect timeout.
     */
    public static ReplicatedClient connect(final ReplicatedClientContext ctx)
    {
        return new ReplicatedClient(ctx.conclude());
    }

    public long clientId()
    {
        return ctx.clientId();
    }

    /**
     * The identity members deduplicate this client's writes by: random per client instance unless
     * {@link ReplicatedClientContext#instanceId(long)} set it.
     */
    public long instanceId()
    {
        return ctx.instanceId();
    }

    /**
     * The member id of the leader the client last heard of, or -1.
     */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    /**
     * A weaker, faster read: answered directly by one member from its own copy, without going through the Raft
     * log, so it may miss writes that were acknowledged recently (or, on a lagging member, long ago). Use
     * {@link #get(byte[])} when the read must see every acknowledged write. It never returns an entry whose TTL has
     * passed: the member checks expiry against the later of the cluster's time and its own clock. Unless
     * {@link ReplicatedClientContext#staleReadMember(int)} names one, the member is the leader as this client
     * knows it at each call.
     *
     * @return the member's value, or null.
     * @throws ReplicationException if stale-read endpoints are not configured or the member cannot be reached.
     */
    public byte[] getPossiblyStale(final byte[] key)
    {
        final FerriteClient client = staleReadClient();
        try
        {
            return client.get(key);
        }
        catch (final FerriteException ex)
        {
            synchronized (this)
            {
                CloseHelper.quietClose(staleClient);
                staleClient = null;
            }
            throw new ReplicationException("possibly-stale read failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * The member possibly-stale reads go to now, or -1 before the first one.
     */
    public int staleReadMemberId()
    {
        synchronized (this)
        {
            return null == staleClient ? -1 : staleMember;
        }
    }

    /**
     * The client of the member stale reads go to: the configured member, or else the leader as the client knows it
     * now, so a deposed leader stops answering once the client has heard of its successor.
     */
    private FerriteClient staleReadClient()
    {
        synchronized (this)
        {
            final int member = ctx.staleReadMember() >= 0 ? ctx.staleReadMember() : Math.max(0, leaderMemberId);
            if (null != staleClient && member == staleMember)
            {
                return staleClient;
            }
            CloseHelper.quietClose(staleClient);
            staleClient = null;
            if (null == ctx.staleReadEndpoints())
            {
                throw new ReplicationException("staleReadEndpoints not set in ReplicatedClientContext");
            }
            String endpoint = null;
            for (final String part : ctx.staleReadEndpoints().split(","))
            {
                final int eq = part.indexOf('=');
                if (eq > 0 && Integer.parseInt(part.substring(0, eq).trim()) == member)
                {
                    endpoint = part.substring(eq + 1).trim();
                }
            }
            if (null == endpoint)
            {
                throw new ReplicationException("no stale-read endpoint for member " + member + " in " +
                    ctx.staleReadEndpoints());
            }
            try
            {
                staleClient = FerriteClient.connect(new ClientContext()
                    .nodeChannel("aeron:udp?endpoint=" + endpoint)
                    .responseChannel("aeron:udp?endpoint=" + ctx.egressHost() + ":0")
                    .aeronDir(aeronDirectoryName)
                    .termLength(ctx.termLength())
                    .credentials(ctx.credentials()));
                staleMember = member;
            }
            catch (final FerriteException ex)
            {
                throw new ReplicationException("cannot reach member " + member + " for stale reads at " + endpoint +
                    ": " + ex.getMessage(), ex);
            }
            return staleClient;
        }
    }

    /**
     * Cache-aside read with single flight: the cached value, or on a miss the loader's, loaded once however many
     * threads miss the key at once (no TTL, no negative caching; build a {@link CacheAside} over this client for
     * those).
     *
     * @throws FerriteException if the loader failed (cause) or the group could not be reached.
     */
    public byte[] getOrLoad(final byte[] key, final CacheAside.Loader loader)
    {
        return cacheAside.getOrLoad(key, loader);
    }

    /**
     * Linearizable read: the value of {@code key} as of a point between call and return, or null.
     */
    public byte[] get(final byte[] key)
    {
        return (byte[])await(getAsync(key));
    }

    public CompletableFuture<Object> getAsync(final byte[] key)
    {
        checkKey(key);
        lock.lock();
        try
        {
            final long correlationId = ++nextCorrelationId;
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + getRequest
                .wrapAndApplyHeader(encodeBuffer, 0, headerEncoder)
                .clientId(ctx.instanceId())
                .correlationId(correlationId)
                .putKey(key, 0, key.length)
                .encodedLength();
            return submit(correlationId, length);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Store {@code value} under {@code key}; returns once a majority of the group has the write.
     *
     * @param ttlMs time to live in milliseconds of cluster time, 0 for none.
     */
    public void put(final byte[] key, final byte[] value, final long ttlMs)
    {
        await(putAsync(key, value, ttlMs, PutMode.UPSERT));
    }

    public void put(final byte[] key, final byte[] value)
    {
        put(key, value, 0);
    }

    /**
     * Store only if absent; true if stored.
     */
    public boolean putIfAbsent(final byte[] key, final byte[] value, final long ttlMs)
    {
        return (Boolean)await(putAsync(key, value, ttlMs, PutMode.PUT_IF_ABSENT));
    }

    /**
     * Store only if present; true if stored.
     */
    public boolean replace(final byte[] key, final byte[] value, final long ttlMs)
    {
        return (Boolean)await(putAsync(key, value, ttlMs, PutMode.REPLACE));
    }

    /**
     * Pipelined put: completes with true if stored (false when the mode's condition did not hold).
     */
    public CompletableFuture<Object> putAsync(
        final byte[] key, final byte[] value, final long ttlMs, final PutMode mode)
    {
        checkKey(key);
        checkValue(value);
        lock.lock();
        try
        {
            final long correlationId = ++nextCorrelationId;
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + putRequest
                .wrapAndApplyHeader(encodeBuffer, 0, headerEncoder)
                .clientId(ctx.instanceId())
                .correlationId(correlationId)
                .ttlMs(ttlMs)
                .mode(mode)
                .putKey(key, 0, key.length)
                .putValue(value, 0, value.length)
                .encodedLength();
            return submit(correlationId, length);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Replace the value of {@code key} with {@code value} only if it currently equals {@code expected}.
     */
    public boolean compareAndSet(final byte[] key, final byte[] expected, final byte[] value)
    {
        return (Boolean)await(compareAndSetAsync(key, expected, value));
    }

    public CompletableFuture<Object> compareAndSetAsync(final byte[] key, final byte[] expected, final byte[] value)
    {
        checkKey(key);
        checkValue(expected);
        checkValue(value);
        lock.lock();
        try
        {
            final long correlationId = ++nextCorrelationId;
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + casRequest
                .wrapAndApplyHeader(encodeBuffer, 0, headerEncoder)
                .clientId(ctx.instanceId())
                .correlationId(correlationId)
                .ttlMs(0)
                .putKey(key, 0, key.length)
                .putExpected(expected, 0, expected.length)
                .putValue(value, 0, value.length)
                .encodedLength();
            return submit(correlationId, length);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Delete {@code key}; true if an entry was removed.
     */
    public boolean delete(final byte[] key)
    {
        return (Boolean)await(deleteAsync(key));
    }

    /**
     * Pipelined delete: completes with true if an entry was removed.
     */
    public CompletableFuture<Object> deleteAsync(final byte[] key)
    {
        checkKey(key);
        lock.lock();
        try
        {
            final long correlationId = ++nextCorrelationId;
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + deleteRequest
                .wrapAndApplyHeader(encodeBuffer, 0, headerEncoder)
                .clientId(ctx.instanceId())
                .correlationId(correlationId)
                .putKey(key, 0, key.length)
                .encodedLength();
            return submit(correlationId, length);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Refuse a key the group would refuse, before it is sent: the log never carries it.
     */
    private void checkKey(final byte[] key)
    {
        if (0 == key.length)
        {
            throw new ReplicationException("INVALID_KEY: empty key");
        }
        if (key.length > ctx.maxKeyLength())
        {
            throw new ReplicationException("KEY_TOO_LARGE: key of " + key.length + " bytes is over the limit of " +
                ctx.maxKeyLength());
        }
    }

    private void checkValue(final byte[] value)
    {
        if (value.length > ctx.maxValueLength())
        {
            throw new ReplicationException("VALUE_TOO_LARGE: value of " + value.length +
                " bytes is over the limit of " + ctx.maxValueLength());
        }
    }

    /**
     * Requests sent and not yet answered.
     */
    public int inFlight()
    {
        lock.lock();
        try
        {
            return pending.size();
        }
        finally
        {
            lock.unlock();
        }
    }

    public void close()
    {
        running = false;
        try
        {
            poller.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try
        {
            for (final Pending p : pending.values())
            {
                p.future.completeExceptionally(new ReplicationException("client closed"));
            }
            pending.clear();
            synchronized (this)
            {
                CloseHelper.quietClose(staleClient);
                staleClient = null;
            }
            CloseHelper.quietClose(cluster);
            CloseHelper.quietClose(driver);
        }
        finally
        {
            lock.unlock();
        }
    }

    private CompletableFuture<Object> submit(final long correlationId, final int length)
    {
        final long deadline = System.nanoTime() + ctx.requestTimeoutNs();
        final IdleStrategy idle = pending.size() >= ctx.maxInFlight() ?
            new BackoffIdleStrategy(10, 20, 1000, ctx.maxParkNs()) : null;
        while (pending.size() >= ctx.maxInFlight())
        {
            idle.idle(duty());
            if (System.nanoTime() > deadline)
            {
                throw new ReplicationException("more than " + ctx.maxInFlight() + " requests in flight for " +
                    TimeUnit.NANOSECONDS.toMillis(ctx.requestTimeoutNs()) + " ms");
            }
        }
        final Pending p = new Pending(correlationId, bytesOf(length), deadline);
        pending.put(correlationId, p);
        p.sent = offer(p);
        return p.future;
    }

    private byte[] bytesOf(final int length)
    {
        final byte[] bytes = new byte[length];
        encodeBuffer.getBytes(0, bytes);
        return bytes;
    }

    private boolean offer(final Pending p)
    {
        if (null == cluster || cluster.isClosed())
        {
            return false;
        }
        sendBuffer.wrap(p.message);
        return cluster.offer(sendBuffer, 0, p.message.length) > 0;
    }

    private Object await(final CompletableFuture<Object> future)
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1000, ctx.maxParkNs());
        while (!future.isDone())
        {
            if (lock.tryLock())
            {
                try
                {
                    duty();
                }
                finally
                {
                    lock.unlock();
                }
            }
            idle.idle();
        }
        try
        {
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted");
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException)
            {
                throw (RuntimeException)ex.getCause();
            }
            throw new ReplicationException(ex.getCause().toString());
        }
    }

    private void pollLoop()
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1000, ctx.maxParkNs());
        while (running)
        {
            int work = 0;
            if (!lock.tryLock())
            {
                // Another thread is driving the connection: back off (bounded by maxParkNs), never spin.
                idle.idle();
                continue;
            }
            else
            {
                try
                {
                    work = duty();
                }
                catch (final RuntimeException ex)
                {
                    ctx.errorHandler().onError(ex);
                }
                finally
                {
                    lock.unlock();
                }
            }
            idle.idle(work);
        }
    }

    /**
     * One turn of the connection: reconnect if needed, read answers, resend, time out, keep alive. Holds the lock.
     */
    private int duty()
    {
        final long now = System.nanoTime();
        if (null == cluster || cluster.isClosed())
        {
            CloseHelper.quietClose(cluster);
            cluster = null;
            if (pending.isEmpty())
            {
                // Reconnect only for a request: a session the group closed for idling stays closed until used.
                return 0;
            }
            try
            {
                cluster = connect();
                resendAll = true;
            }
            catch (final RuntimeException ex)
            {
                expire(now);
                return 0;
            }
        }
        int work = cluster.pollEgress();
        if (resendAll)
        {
            resendAll = false;
            for (final Pending p : pending.values())
            {
                p.sent = false;
            }
        }
        if (!pending.isEmpty())
        {
            work += resendUnsent();
            expire(now);
        }
        if (now - lastKeepAliveNs > KEEP_ALIVE_INTERVAL_NS)
        {
            lastKeepAliveNs = now;
            cluster.sendKeepAlive();
        }
        return work;
    }

    private int resendUnsent()
    {
        long[] ids = null;
        int count = 0;
        final long now = System.nanoTime();
        for (final Pending p : pending.values())
        {
            if (!p.sent && now - p.notBeforeNs >= 0)
            {
                if (null == ids)
                {
                    ids = new long[pending.size()];
                }
                ids[count++] = p.correlationId;
            }
        }
        if (0 == count)
        {
            return 0;
        }
        Arrays.sort(ids, 0, count);
        int sent = 0;
        for (int i = 0; i < count; i++)
        {
            final Pending p = pending.get(ids[i]);
            p.sent = offer(p);
            if (!p.sent)
            {
                break;
            }
            sent++;
        }
        return sent;
    }

    private void expire(final long now)
    {
        if (pending.isEmpty())
        {
            return;
        }
        final Long2ObjectHashMap<Pending>.ValueIterator it = pending.values().iterator();
        while (it.hasNext())
        {
            final Pending p = it.next();
            if (now > p.deadlineNs)
            {
                it.remove();
                p.future.completeExceptionally(new ReplicationException("no answer to request " + p.correlationId +
                    " within " + TimeUnit.NANOSECONDS.toMillis(ctx.requestTimeoutNs()) + " ms (leader=" +
                    leaderMemberId + "); a write may or may not have been applied"));
            }
        }
    }

    private AeronCluster connect()
    {
        final String channelParams = "term-length=" + ctx.termLength();
        try
        {
            final AeronCluster connected = AeronCluster.connect(new AeronCluster.Context()
                .aeronDirectoryName(aeronDirectoryName)
                .ingressChannel("aeron:udp?" + channelParams)
                .ingressEndpoints(ctx.ingressEndpoints())
                .egressChannel("aeron:udp?endpoint=" + ctx.egressHost() + ":0|" + channelParams)
                .egressListener(egress)
                .credentialsSupplier(CredentialsVerifier.credentialsSupplier(ctx.credentials()))
                .messageTimeoutNs(ctx.connectTimeoutNs()));
            leaderMemberId = connected.leaderMemberId();
            return connected;
        }
        catch (final AuthenticationException ex)
        {
            throw new AccessDeniedException(ErrorCode.AUTHENTICATION_FAILED, "the group at " +
                ctx.ingressEndpoints() + " refused this client's credentials (" +
                (null == ctx.credentials() ? "none configured" : "unknown user or bad secret") + ")", ex);
        }
        catch (final RuntimeException ex)
        {
            throw new ReplicationException("cannot connect to group at " + ctx.ingressEndpoints() + ": " + ex, ex);
        }
    }

    private static final class Pending
    {
        final long correlationId;
        final byte[] message;
        final long deadlineNs;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        boolean sent;
        long notBeforeNs;

        Pending(final long correlationId, final byte[] message, final long deadlineNs)
        {
            this.correlationId = correlationId;
            this.message = message;
            this.deadlineNs = deadlineNs;
        }
    }

    private final class Egress implements EgressListener
    {
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final GetResponseDecoder getResponse = new GetResponseDecoder();
        private final PutResponseDecoder putResponse = new PutResponseDecoder();
        private final DeleteResponseDecoder deleteResponse = new DeleteResponseDecoder();
        private final ErrorResponseDecoder errorResponse = new ErrorResponseDecoder();
        private final PartitionRedirectResponseDecoder redirect = new PartitionRedirectResponseDecoder();

        public void onMessage(
            final long clusterSessionId,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header hdr)
        {
            header.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            switch (header.templateId())
            {
                case GetResponseDecoder.TEMPLATE_ID:
                {
                    getResponse.wrap(buffer, body, header.blockLength(), header.version());
                    final Pending p = pending.remove(getResponse.correlationId());
                    if (null != p)
                    {
                        final boolean found = BooleanType.TRUE == getResponse.found();
                        final byte[] value = new byte[getResponse.valueLength()];
                        getResponse.getValue(value, 0, value.length);
                        p.future.complete(found ? value : null);
                    }
                    break;
                }
                case PutResponseDecoder.TEMPLATE_ID:
                {
                    putResponse.wrap(buffer, body, header.blockLength(), header.version());
                    final Pending p = pending.remove(putResponse.correlationId());
                    if (null != p)
                    {
                        p.future.complete(PutStatus.STORED == putResponse.status());
                    }
                    break;
                }
                case DeleteResponseDecoder.TEMPLATE_ID:
                {
                    deleteResponse.wrap(buffer, body, header.blockLength(), header.version());
                    final Pending p = pending.remove(deleteResponse.correlationId());
                    if (null != p)
                    {
                        p.future.complete(BooleanType.TRUE == deleteResponse.deleted());
                    }
                    break;
                }
                case ErrorResponseDecoder.TEMPLATE_ID:
                {
                    errorResponse.wrap(buffer, body, header.blockLength(), header.version());
                    final long correlationId = errorResponse.correlationId();
                    final String code = String.valueOf(errorResponse.code());
                    final String message = errorResponse.message();
                    if (ErrorCode.CLIENT_ID_IN_USE == errorResponse.code())
                    {
                        // This instance's previous session (before a reconnect) still owns the id: retry until the
                        // cluster has closed it or the request times out.
                        final Pending p = pending.get(correlationId);
                        if (null != p)
                        {
                            p.sent = false;
                            p.notBeforeNs = System.nanoTime() + ID_IN_USE_RETRY_NS;
                        }
                        break;
                    }
                    final Pending p = pending.remove(correlationId);
                    if (null != p)
                    {
                        p.future.completeExceptionally(ErrorCode.PERMISSION_DENIED == errorResponse.code() ?
                            new AccessDeniedException(ErrorCode.PERMISSION_DENIED, message, null) :
                            new ReplicationException(code + ": " + message));
                    }
                    break;
                }
                case PartitionRedirectResponseDecoder.TEMPLATE_ID:
                {
                    redirect.wrap(buffer, body, header.blockLength(), header.version());
                    final Pending p = pending.remove(redirect.correlationId());
                    if (null != p)
                    {
                        p.future.completeExceptionally(PartitionRedirectException.of(redirect));
                    }
                    break;
                }
                default:
                    break;
            }
        }

        public void onNewLeader(
            final long clusterSessionId, final long leadershipTermId, final int leaderMemberId,
            final String ingressEndpoints)
        {
            ReplicatedClient.this.leaderMemberId = leaderMemberId;
            resendAll = true;
        }
    }
}
