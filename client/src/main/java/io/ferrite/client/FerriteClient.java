package io.ferrite.client;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.ferrite.codec.PartitionHash;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.PutMode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Java client of Ferrite: one API for a single node, one replica group, or a partitioned cluster, chosen by the
 * seeds in its {@link ClientContext}.
 * <ul>
 *     <li><b>blocking</b>, on {@code byte[]} and {@code String}: {@link #get(byte[])}, {@link #put(byte[], byte[])},
 *     {@link #compareAndSet(byte[], byte[], byte[])}, {@link #multiGet(List)}, ...;</li>
 *     <li><b>async</b>: {@link #getAsync(byte[])}, {@link #putAsync(byte[], byte[], Duration, WriteCondition)}, ...
 *     return typed {@link CompletableFuture}s at once, so many requests are in flight together (pipelined). The
 *     arrays passed in are read until the future completes (a request may be sent again): do not change them
 *     before;</li>
 *     <li><b>zero-copy</b>: {@link #get(DirectBuffer, int, int, MutableDirectBuffer, int)},
 *     {@link #put(DirectBuffer, int, int, DirectBuffer, int, int, Duration, WriteCondition)}, ...: blocking, on the
 *     caller's buffers, allocating nothing per request on every transport (requests are encoded into the
 *     publication's term with {@code tryClaim}, answers are copied straight into the caller's buffer).</li>
 * </ul>
 * Against a group or a cluster every request goes through the owning group's Raft log and is answered by its leader:
 * reads are linearizable and a write returns once a majority has it. The client follows leader changes, resending what
 * was in flight with the same correlation ids (groups deduplicate writes by the client's {@link #instanceId() instance
 * id}, so a resent write is applied once; one resent after its outcome left the group's window of the client's last 256
 * writes fails with {@code OUTCOME_FORGOTTEN}, outcome unknown), and follows partition redirects (see {@link
 * ClientConductor}). Every request has the request timeout ({@link ClientContext#requestTimeoutNs(long)}): past it a
 * {@link FerriteTimeoutException}; a refused request fails with a {@link FerriteRequestException} whose {@link
 * FerriteException#code()} names the reason; limits are checked before anything is sent.
 * <p>
 * <b>Note:</b> thread-safe: any number of application threads may share one client. Blocking callers drive the
 * connection on their own thread while they wait (lowest latency); a background poller (parks capped at 100 us by
 * default, {@link ClientContext#idleStrategy(org.agrona.concurrent.IdleStrategy)}) completes async requests and keeps
 * the sessions alive.
 */
public final class FerriteClient implements AutoCloseable
{
    /**
     * Set to {@code false} to give a node client's embedded driver and Aeron client their own threads (a group or
     * cluster client always does).
     */
    public static final String INVOKERS_PROP_NAME = "ferrite.client.driver.invoked";

    /** Zero-copy {@link #get} result: no live entry for the key. */
    public static final int NOT_FOUND = -1;

    private final ClientContext ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final ClientConductor conductor;
    private final AgentRunner runner;
    private final int staleRoute;
    private final CacheAside cacheAside;
    private int staleMember = -1;
    private volatile boolean closed;

    private FerriteClient(
        final ClientContext ctx,
        final MediaDriver driver,
        final Aeron aeron,
        final ClientConductor conductor,
        final AgentRunner runner,
        final int staleRoute)
    {
        this.ctx = ctx;
        this.driver = driver;
        this.aeron = aeron;
        this.conductor = conductor;
        this.runner = runner;
        this.staleRoute = staleRoute;
        this.cacheAside = cacheAside(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1));
    }

    /**
     * Connect: start (or attach to) a media driver, open the session with the node or with every group's leader,
     * read the partition map from group 0 for a cluster, and return once all answered.
     *
     * @throws FerriteTimeoutException if a node or group did not answer within the connect timeout (the message
     *                                 names which); nothing is left running.
     */
    public static FerriteClient connect(final ClientContext ctx)
    {
        ctx.conclude();
        MediaDriver driver = null;
        Aeron aeron = null;
        AgentRunner runner = null;
        ClientConductor conductor = null;
        try
        {
            String dir = ctx.aeronDir();
            // A node client with an embedded driver and a background poller runs the driver and the Aeron client on
            // whichever thread drives it (under its lock): fewer threads to wake per round trip. A group or cluster
            // client gives both their own threads: Aeron Cluster's client waits for a new leader's publication inside
            // the poll (an invoked driver starves there), and blocking replicated calls measured faster so.
            final boolean invokers = null == dir && ctx.useConductorThread() &&
                ClientContext.Mode.NODE == ctx.mode() && !"false".equals(System.getProperty(INVOKERS_PROP_NAME));
            final boolean driverInvoked = invokers;
            if (null == dir)
            {
                driver = EmbeddedDriver.launch(ctx.embeddedDriverDir(), driverInvoked);
                dir = driver.aeronDirectoryName();
            }
            final Aeron.Context aeronCtx = new Aeron.Context()
                .aeronDirectoryName(dir)
                .clientName("ferrite-client")
                .errorHandler(ctx.errorHandler());
            if (invokers)
            {
                aeronCtx.useConductorAgentInvoker(true);
            }
            if (driverInvoked)
            {
                aeronCtx.driverAgentInvoker(driver.sharedAgentInvoker());
            }
            aeron = Aeron.connect(aeronCtx);
            conductor = new ClientConductor(ctx);
            final AgentInvoker driverInvoker = driverInvoked ? driver.sharedAgentInvoker() : null;
            conductor.invokers(driverInvoker, invokers ? aeron.conductorAgentInvoker() : null);
            final long deadlineNs = System.nanoTime() + ctx.connectTimeoutNs();
            final int staleRoute = openSessions(ctx, conductor, aeron, deadlineNs);
            conductor.awaitUp(deadlineNs);
            if (ClientContext.Mode.CLUSTER == ctx.mode())
            {
                final PendingRequest map = conductor.acquire(
                    PendingRequest.PARTITION_MAP, System.nanoTime() + ctx.requestTimeoutNs());
                conductor.fetchMap(map);
                checkDone(map);
                conductor.release(map);
            }
            if (ctx.useConductorThread())
            {
                runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, conductor);
                AgentRunner.startOnThread(runner);
            }
            return new FerriteClient(ctx, driver, aeron, conductor, runner, staleRoute);
        }
        catch (final RuntimeException ex)
        {
            if (null != conductor)
            {
                conductor.close();
            }
            CloseHelper.quietCloseAll(runner, aeron, driver);
            throw ex;
        }
    }

    /**
     * The node session, or one session per group plus a slot for stale reads.
     *
     * @return the stale-read route, or -1.
     */
    private static int openSessions(
        final ClientContext ctx, final ClientConductor conductor, final Aeron aeron, final long deadlineNs)
    {
        conductor.lock.lock();
        try
        {
            if (ClientContext.Mode.NODE == ctx.mode())
            {
                final Session[] sessions = new Session[1];
                conductor.sessions(sessions);
                sessions[0] = new NodeSession(0, conductor, aeron, ctx, ctx.nodeChannel(), ctx.nodeStreamId(),
                    ctx.responseChannel(), deadlineNs);
                return -1;
            }
            final int groups = ctx.groupCount();
            final Session[] sessions = new Session[groups + 1];
            conductor.sessions(sessions);
            for (int g = 0; g < groups; g++)
            {
                sessions[g] = new GroupSession(g, conductor, aeron, ctx, g);
            }
            return groups;
        }
        finally
        {
            conductor.lock.unlock();
        }
    }

    /**
     * Whether the session with the node, or with every group's leader, is open right now.
     */
    public boolean isConnected()
    {
        conductor.lock.lock();
        try
        {
            final int sessions = ClientContext.Mode.NODE == ctx.mode() ? 1 : ctx.groupCount();
            for (int i = 0; i < sessions; i++)
            {
                if (!conductor.session(i).isUp())
                {
                    return false;
                }
            }
            return true;
        }
        finally
        {
            conductor.lock.unlock();
        }
    }

    /**
     * The id of the node run this client is connected to (changes when the node restarts); 0 unless a node client.
     */
    public long nodeInstanceId()
    {
        return ClientContext.Mode.NODE == ctx.mode() ? ((NodeSession)conductor.session(0)).nodeInstanceId() : 0;
    }

    /**
     * The identity in every request, by which groups deduplicate this client's writes: random per client instance
     * unless {@link ClientContext#instanceId(long)} set it.
     */
    public long instanceId()
    {
        return ctx.instanceId();
    }

    public ClientContext context()
    {
        return ctx;
    }

    /**
     * The member id of group 0's leader as the client last heard of it, or -1 (and for a node).
     */
    public int leaderMemberId()
    {
        return leaderMemberId(0);
    }

    /**
     * The member id of {@code group}'s leader as the client last heard of it, or -1.
     */
    public int leaderMemberId(final int group)
    {
        if (ClientContext.Mode.NODE == ctx.mode())
        {
            return -1;
        }
        return ((GroupSession)conductor.session(group)).leaderMemberId();
    }

    /**
     * The epoch of the partition map as this client knows it (possibly older than the cluster's), or -1.
     */
    public long partitionMapEpoch()
    {
        return conductor.mapEpoch();
    }

    /**
     * The cluster's partition count (0 unless a cluster client).
     */
    public int partitionCount()
    {
        return conductor.partitionCount();
    }

    /**
     * The group this client would send {@code partition}'s requests to now.
     */
    public int ownerOfPartition(final int partition)
    {
        return conductor.ownerOfPartition(partition);
    }

    /**
     * The group {@code key}'s requests go to now, by the partition map as this client knows it (0 for a node or
     * group client).
     */
    public int groupOf(final byte[] key)
    {
        final int partitions = conductor.partitionCount();
        return 0 == partitions ? 0 : conductor.ownerOfPartition(PartitionHash.partition(key, partitions));
    }

    /**
     * Read the partition map from group 0 again (a cluster client does so by itself after repeated redirects and
     * after a leader change).
     *
     * @return the map epoch the client knows afterwards.
     */
    public long refreshPartitionMap()
    {
        if (ClientContext.Mode.CLUSTER != ctx.mode())
        {
            throw new IllegalStateException("only a cluster client has a partition map");
        }
        final PendingRequest request = conductor.acquire(PendingRequest.PARTITION_MAP, deadline());
        try
        {
            conductor.fetchMap(request);
            checkDone(request);
            return conductor.mapEpoch();
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * How many partition redirects this client has followed (a measure of how stale its map was).
     */
    public long redirectsFollowed()
    {
        return conductor.redirectsFollowed();
    }

    /**
     * Requests sent and not yet answered.
     */
    public int inFlight()
    {
        return conductor.inFlight();
    }

    /**
     * Poll responses, keep sessions and resend once; only needed without the background poller.
     *
     * @return work done.
     */
    public int poll()
    {
        return conductor.doWork();
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Zero-copy API
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * Copy the value of a key into {@code dst} at {@code dstOffset}; allocates nothing.
     *
     * @return the value's length, or {@link #NOT_FOUND}. When the value is longer than the room left in {@code dst},
     * nothing is copied and the length is returned so the caller can retry with a larger buffer.
     */
    public int get(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final MutableDirectBuffer dst,
        final int dstOffset)
    {
        checkKey(keyLength);
        final PendingRequest request = conductor.acquire(PendingRequest.GET_COPY, deadline());
        try
        {
            keyArgument(request, key, keyOffset, keyLength);
            request.dst = dst;
            request.dstOffset = dstOffset;
            return (int)call(request);
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * Store a value if {@code condition} holds; allocates nothing.
     *
     * @param ttl time to live ({@link Duration#ZERO} for none); on a group, measured on the cluster's clock.
     * @return true if stored, false if the condition did not hold.
     */
    public boolean put(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final Duration ttl,
        final WriteCondition condition)
    {
        checkKey(keyLength);
        checkValue(valueLength);
        final PendingRequest request = conductor.acquire(PendingRequest.PUT, deadline());
        try
        {
            putArguments(request, key, keyOffset, keyLength, value, valueOffset, valueLength, ttl, condition.mode());
            return ClientConductor.STORED == call(request);
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * Store a value with no expiry, unconditionally; allocates nothing.
     */
    public void put(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        put(key, keyOffset, keyLength, value, valueOffset, valueLength, Duration.ZERO, WriteCondition.ALWAYS);
    }

    /**
     * Replace the value of a key only if it currently equals {@code expected}; allocates nothing.
     *
     * @return true if replaced.
     */
    public boolean compareAndSet(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer expected,
        final int expectedOffset,
        final int expectedLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        checkKey(keyLength);
        checkValue(expectedLength);
        checkValue(valueLength);
        final PendingRequest request = conductor.acquire(PendingRequest.COMPARE_AND_SET, deadline());
        try
        {
            putArguments(request, key, keyOffset, keyLength, value, valueOffset, valueLength, Duration.ZERO, null);
            expectedArgument(request, expected, expectedOffset, expectedLength);
            return ClientConductor.STORED == call(request);
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * Delete a key's entry; allocates nothing.
     *
     * @return true if a live entry was removed.
     */
    public boolean delete(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return remove(PendingRequest.DELETE, key, keyOffset, keyLength);
    }

    /**
     * Invalidate a key's entry (its source of truth changed); allocates nothing.
     *
     * @return true if a live entry was removed.
     */
    public boolean invalidate(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return remove(PendingRequest.INVALIDATE, key, keyOffset, keyLength);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Blocking API
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * The value of a key, or null; on a group, linearizable.
     */
    public byte[] get(final byte[] key)
    {
        checkKey(key.length);
        final PendingRequest request = conductor.acquire(PendingRequest.GET_BYTES, deadline());
        try
        {
            keyArgument(request, key);
            call(request);
            return (byte[])request.value;
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * The value of a key as UTF-8 text, or null.
     */
    public String get(final String key)
    {
        final byte[] value = get(utf8(key));
        return null == value ? null : new String(value, StandardCharsets.UTF_8);
    }

    /**
     * Store a value with no expiry.
     */
    public void put(final byte[] key, final byte[] value)
    {
        put(key, value, Duration.ZERO);
    }

    /**
     * Store a value that expires after {@code ttl} ({@link Duration#ZERO} for never).
     */
    public void put(final byte[] key, final byte[] value, final Duration ttl)
    {
        putBytes(key, value, ttl, WriteCondition.ALWAYS);
    }

    public void put(final String key, final String value)
    {
        put(utf8(key), utf8(value), Duration.ZERO);
    }

    public void put(final String key, final String value, final Duration ttl)
    {
        put(utf8(key), utf8(value), ttl);
    }

    /**
     * Store only if the key has no live entry.
     *
     * @return true if stored.
     */
    public boolean putIfAbsent(final byte[] key, final byte[] value, final Duration ttl)
    {
        return putBytes(key, value, ttl, WriteCondition.IF_ABSENT);
    }

    /**
     * Store only if the key has a live entry.
     *
     * @return true if stored.
     */
    public boolean replace(final byte[] key, final byte[] value, final Duration ttl)
    {
        return putBytes(key, value, ttl, WriteCondition.IF_PRESENT);
    }

    /**
     * Replace the value of {@code key} with {@code value} only if it currently equals {@code expected}.
     *
     * @return true if replaced.
     */
    public boolean compareAndSet(final byte[] key, final byte[] expected, final byte[] value)
    {
        checkKey(key.length);
        checkValue(expected.length);
        checkValue(value.length);
        final PendingRequest request = conductor.acquire(PendingRequest.COMPARE_AND_SET, deadline());
        try
        {
            casArguments(request, key, expected, value);
            return ClientConductor.STORED == call(request);
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * Delete a key's entry; true if there was one.
     */
    public boolean delete(final byte[] key)
    {
        return removeBytes(PendingRequest.DELETE, key);
    }

    public boolean delete(final String key)
    {
        return delete(utf8(key));
    }

    /**
     * Invalidate a key's entry (same effect as delete; named for cache-aside code); true if there was one.
     */
    public boolean invalidate(final byte[] key)
    {
        return removeBytes(PendingRequest.INVALIDATE, key);
    }

    /**
     * The values of several keys, in the caller's order, null for a miss: one multi-get message per group (split
     * further at the multi-get key limit), the groups asked at once.
     */
    @SuppressWarnings("unchecked")
    public List<byte[]> multiGet(final List<byte[]> keys)
    {
        checkKeys(keys);
        final PendingRequest parent = new PendingRequest().reset(PendingRequest.MULTI_GET_PARENT, deadline());
        conductor.submitMultiGet(parent, keys);
        conductor.await(parent);
        checkDone(parent);
        return (List<byte[]>)parent.value;
    }

    /**
     * Cache-aside read with single flight: the cached value, or on a miss the loader's (stored with no TTL),
     * loaded once however many threads miss the key at once. Build a {@link CacheAside} over this client for a TTL
     * or negative caching.
     *
     * @throws FerriteException if the loader failed (cause) or the cache could not be reached.
     */
    public byte[] getOrLoad(final byte[] key, final CacheAside.Loader loader)
    {
        return cacheAside.getOrLoad(key, loader);
    }

    /**
     * {@link #getOrLoad} without blocking: the loader returns a future; one flight per key, shared with blocking
     * callers. The future fails with a {@link FerriteException} if the loader failed (cause) or the cache could not
     * be reached.
     */
    public CompletableFuture<byte[]> getOrLoadAsync(final byte[] key, final CacheAside.AsyncLoader loader)
    {
        return cacheAside.getOrLoadAsync(key, loader);
    }

    /**
     * A cache-aside view of this client with its own settings (its own flights and counters).
     *
     * @param ttl         TTL of loaded entries ({@link Duration#ZERO}: none).
     * @param negativeTtl how long "the loader found nothing" is remembered in this process (zero: not at all).
     * @param waitTimeout how long a caller waits for a load.
     */
    public CacheAside cacheAside(final Duration ttl, final Duration negativeTtl, final Duration waitTimeout)
    {
        return new CacheAside(new CacheAside.Cache()
        {
            public byte[] get(final byte[] key)
            {
                return FerriteClient.this.get(key);
            }

            public void put(final byte[] key, final byte[] value, final long ttlMs)
            {
                FerriteClient.this.put(key, value, Duration.ofMillis(ttlMs));
            }

            public CompletableFuture<byte[]> getAsync(final byte[] key)
            {
                return FerriteClient.this.getAsync(key);
            }

            public CompletableFuture<?> putAsync(final byte[] key, final byte[] value, final long ttlMs)
            {
                return FerriteClient.this.putAsync(key, value, Duration.ofMillis(ttlMs), WriteCondition.ALWAYS);
            }
        }, ttl.toMillis(), negativeTtl.toMillis(), waitTimeout.toMillis());
    }

    /**
     * Round trip time of a ping to the node (or group 0's leader, through its log), in nanoseconds.
     */
    public long ping()
    {
        final PendingRequest request = conductor.acquire(PendingRequest.PING, deadline());
        try
        {
            request.fixedRoute = true;
            return call(request);
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * The node's counters (or group 0's store counters).
     */
    public NodeStats stats()
    {
        final PendingRequest request = conductor.acquire(PendingRequest.STATS, deadline());
        try
        {
            request.fixedRoute = true;
            call(request);
            return (NodeStats)request.value;
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * A weaker, faster read from a group client: answered directly by one member of group 0 from its own copy,
     * without going through the Raft log, so it may miss writes acknowledged recently (or, on a lagging member, long
     * ago). It never returns an entry whose TTL has passed. The member is {@link ClientContext#staleReadMember(int)},
     * or else the leader as this client knows it at each call.
     *
     * @return the member's value, or null.
     * @throws FerriteException if stale-read endpoints are not configured or the member cannot be reached.
     */
    public byte[] getPossiblyStale(final byte[] key)
    {
        checkKey(key.length);
        if (staleRoute < 0 || null == ctx.staleReadEndpoints())
        {
            throw new FerriteException("staleReadEndpoints not set in the ClientContext of a group client");
        }
        openStaleSession();
        final PendingRequest request = conductor.acquire(PendingRequest.GET_BYTES, deadline());
        try
        {
            keyArgument(request, key);
            request.fixedRoute = true;
            request.route = staleRoute;
            call(request);
            return (byte[])request.value;
        }
        catch (final FerriteException ex)
        {
            closeStaleSession("possibly-stale read failed");
            throw new FerriteException("possibly-stale read failed: " + ex.getMessage(), ex);
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * The member possibly-stale reads go to now, or -1 before the first one.
     */
    public int staleReadMemberId()
    {
        conductor.lock.lock();
        try
        {
            return null == conductor.session(staleRoute) ? -1 : staleMember;
        }
        finally
        {
            conductor.lock.unlock();
        }
    }

    private void openStaleSession()
    {
        conductor.lock.lock();
        try
        {
            final int member = ctx.staleReadMember() >= 0 ? ctx.staleReadMember() : Math.max(0, leaderMemberId(0));
            if (null != conductor.session(staleRoute) && member == staleMember)
            {
                return;
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
                throw new FerriteException("no stale-read endpoint for member " + member + " in " +
                    ctx.staleReadEndpoints());
            }
            conductor.replaceSession(staleRoute, null, "the stale-read member changed");
            try
            {
                conductor.replaceSession(staleRoute, new NodeSession(staleRoute, conductor, aeron, ctx,
                    "aeron:udp?endpoint=" + endpoint, ClientConfiguration.NODE_STREAM_ID_DEFAULT,
                    "aeron:udp?endpoint=" + ctx.egressHost() + ":0", deadline()), null);
            }
            catch (final RuntimeException ex)
            {
                throw new FerriteException("cannot reach member " + member + " for stale reads at " + endpoint + ": " +
                    ex.getMessage(), ex);
            }
            staleMember = member;
        }
        finally
        {
            conductor.lock.unlock();
        }
    }

    private void closeStaleSession(final String reason)
    {
        conductor.lock.lock();
        try
        {
            conductor.replaceSession(staleRoute, null, reason);
        }
        finally
        {
            conductor.lock.unlock();
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Async API
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * Get without waiting; the future completes with the value or null.
     */
    public CompletableFuture<byte[]> getAsync(final byte[] key)
    {
        checkKey(key.length);
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        final PendingRequest request = conductor.acquire(PendingRequest.GET_BYTES, deadline());
        keyArgument(request, key);
        return submitAsync(request, future);
    }

    /**
     * Put without waiting, no expiry, unconditionally; the future completes with true.
     */
    public CompletableFuture<Boolean> putAsync(final byte[] key, final byte[] value)
    {
        return putAsync(key, value, Duration.ZERO, WriteCondition.ALWAYS);
    }

    /**
     * Put without waiting; the future completes with true if stored, false if {@code condition} did not hold.
     */
    public CompletableFuture<Boolean> putAsync(
        final byte[] key, final byte[] value, final Duration ttl, final WriteCondition condition)
    {
        checkKey(key.length);
        checkValue(value.length);
        final CompletableFuture<Boolean> future = new CompletableFuture<>();
        final PendingRequest request = conductor.acquire(PendingRequest.PUT, deadline());
        request.keyBytes.wrap(key);
        request.valueBytes.wrap(value);
        putArguments(request, request.keyBytes, 0, key.length, request.valueBytes, 0, value.length, ttl,
            condition.mode());
        return submitAsync(request, future);
    }

    /**
     * Compare-and-set without waiting; the future completes with true if replaced.
     */
    public CompletableFuture<Boolean> compareAndSetAsync(final byte[] key, final byte[] expected, final byte[] value)
    {
        checkKey(key.length);
        checkValue(expected.length);
        checkValue(value.length);
        final CompletableFuture<Boolean> future = new CompletableFuture<>();
        final PendingRequest request = conductor.acquire(PendingRequest.COMPARE_AND_SET, deadline());
        casArguments(request, key, expected, value);
        return submitAsync(request, future);
    }

    /**
     * Delete without waiting; the future completes with true if an entry was removed.
     */
    public CompletableFuture<Boolean> deleteAsync(final byte[] key)
    {
        return removeAsync(PendingRequest.DELETE, key);
    }

    /**
     * Invalidate without waiting; the future completes with true if an entry was removed.
     */
    public CompletableFuture<Boolean> invalidateAsync(final byte[] key)
    {
        return removeAsync(PendingRequest.INVALIDATE, key);
    }

    /**
     * Multi-get without waiting; the future completes with the values in the caller's order, null for a miss.
     */
    public CompletableFuture<List<byte[]>> multiGetAsync(final List<byte[]> keys)
    {
        checkKeys(keys);
        final CompletableFuture<List<byte[]>> future = new CompletableFuture<>();
        final PendingRequest parent = new PendingRequest().reset(PendingRequest.MULTI_GET_PARENT, deadline());
        parent.future = future;
        try
        {
            conductor.submitMultiGet(parent, keys);
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
        return future;
    }

    /**
     * Stats without waiting.
     */
    public CompletableFuture<NodeStats> statsAsync()
    {
        final CompletableFuture<NodeStats> future = new CompletableFuture<>();
        final PendingRequest request = conductor.acquire(PendingRequest.STATS, deadline());
        request.fixedRoute = true;
        return submitAsync(request, future);
    }

    /**
     * Close the sessions (telling a node), fail requests in flight, stop the background poller, and close the Aeron
     * client and an embedded driver (deleting its directory).
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietClose(runner);
        conductor.close();
        CloseHelper.closeAll(aeron, driver);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------------------------

    private long call(final PendingRequest request)
    {
        conductor.submit(request);
        conductor.await(request);
        checkDone(request);
        return request.result;
    }

    private <T> CompletableFuture<T> submitAsync(final PendingRequest request, final CompletableFuture<T> future)
    {
        request.future = future;
        try
        {
            conductor.submitAsync(request);
        }
        catch (final RuntimeException ex)
        {
            conductor.release(request);
            future.completeExceptionally(ex);
        }
        return future;
    }

    private CompletableFuture<Boolean> removeAsync(final int kind, final byte[] key)
    {
        checkKey(key.length);
        final CompletableFuture<Boolean> future = new CompletableFuture<>();
        final PendingRequest request = conductor.acquire(kind, deadline());
        keyArgument(request, key);
        return submitAsync(request, future);
    }

    private boolean putBytes(final byte[] key, final byte[] value, final Duration ttl, final WriteCondition condition)
    {
        checkKey(key.length);
        checkValue(value.length);
        final PendingRequest request = conductor.acquire(PendingRequest.PUT, deadline());
        try
        {
            request.keyBytes.wrap(key);
            request.valueBytes.wrap(value);
            putArguments(request, request.keyBytes, 0, key.length, request.valueBytes, 0, value.length, ttl,
                condition.mode());
            return ClientConductor.STORED == call(request);
        }
        finally
        {
            conductor.release(request);
        }
    }

    private boolean removeBytes(final int kind, final byte[] key)
    {
        checkKey(key.length);
        final PendingRequest request = conductor.acquire(kind, deadline());
        try
        {
            keyArgument(request, key);
            return 1 == call(request);
        }
        finally
        {
            conductor.release(request);
        }
    }

    private boolean remove(final int kind, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkKey(keyLength);
        final PendingRequest request = conductor.acquire(kind, deadline());
        try
        {
            keyArgument(request, key, keyOffset, keyLength);
            return 1 == call(request);
        }
        finally
        {
            conductor.release(request);
        }
    }

    private static void keyArgument(final PendingRequest request, final byte[] key)
    {
        request.keyBytes.wrap(key);
        keyArgument(request, request.keyBytes, 0, key.length);
    }

    private static void keyArgument(
        final PendingRequest request, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        // copied, not kept by reference: the caller may reuse its buffer as soon as the call returns, and a resend
        // (new leader, redirect) must send what was asked, not what the buffer holds by then
        request.keyCopy.putBytes(0, key, keyOffset, keyLength);
        request.key = request.keyCopy;
        request.keyOffset = 0;
        request.keyLength = keyLength;
    }

    private static void expectedArgument(
        final PendingRequest request, final DirectBuffer expected, final int expectedOffset, final int expectedLength)
    {
        request.expectedCopy.putBytes(0, expected, expectedOffset, expectedLength);
        request.expected = request.expectedCopy;
        request.expectedOffset = 0;
        request.expectedLength = expectedLength;
    }

    private static void putArguments(
        final PendingRequest request,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final Duration ttl,
        final PutMode mode)
    {
        keyArgument(request, key, keyOffset, keyLength);
        request.valueCopy.putBytes(0, value, valueOffset, valueLength);
        request.valueSource = request.valueCopy;
        request.valueOffset = 0;
        request.valueLength = valueLength;
        request.ttlMs = ttl.toMillis();
        request.mode = mode;
    }

    private static void casArguments(
        final PendingRequest request, final byte[] key, final byte[] expected, final byte[] value)
    {
        request.keyBytes.wrap(key);
        request.valueBytes.wrap(value);
        request.expectedBytes.wrap(expected);
        putArguments(request, request.keyBytes, 0, key.length, request.valueBytes, 0, value.length, Duration.ZERO,
            null);
        expectedArgument(request, request.expectedBytes, 0, expected.length);
    }

    private long deadline()
    {
        if (closed)
        {
            throw new FerriteException("the client is closed");
        }
        return System.nanoTime() + ctx.requestTimeoutNs();
    }

    private static void checkDone(final PendingRequest request)
    {
        if (PendingRequest.FAILED == request.state)
        {
            throw ClientConductor.failureOf(request);
        }
    }

    /**
     * Refuse a key the servers would refuse, before it is sent: no log carries it.
     */
    private void checkKey(final int keyLength)
    {
        if (keyLength <= 0)
        {
            throw new FerriteRequestException(ErrorCode.INVALID_KEY, "a key must not be empty");
        }
        if (keyLength > ctx.maxKeyLength())
        {
            throw new FerriteRequestException(ErrorCode.KEY_TOO_LARGE, "key of " + keyLength +
                " bytes is over the limit of " + ctx.maxKeyLength());
        }
    }

    private void checkValue(final int valueLength)
    {
        if (valueLength > ctx.maxValueLength())
        {
            throw new FerriteRequestException(ErrorCode.VALUE_TOO_LARGE, "value of " + valueLength +
                " bytes is over the limit of " + ctx.maxValueLength() + " (raise the term length and the limit)");
        }
    }

    private void checkKeys(final List<byte[]> keys)
    {
        for (int i = 0, n = keys.size(); i < n; i++)
        {
            checkKey(keys.get(i).length);
        }
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
