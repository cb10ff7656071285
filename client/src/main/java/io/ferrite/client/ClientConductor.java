package io.ferrite.client;

import io.aeron.Publication;
import io.ferrite.codec.PartitionHash;
import io.ferrite.codec.RequestLimits;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.ConnectResponseDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.GetResponseDecoder;
import io.ferrite.codec.sbe.MultiGetResponseDecoder;
import io.ferrite.codec.sbe.PartitionMapResponseDecoder;
import io.ferrite.codec.sbe.PartitionRedirectResponseDecoder;
import io.ferrite.codec.sbe.StatsResponseDecoder;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The client's core, for every transport: sends requests over their {@link Session}, matches responses to them by
 * correlation id, resends what a new leader or a partition's new owner must see again, follows redirects, keeps the
 * partition map, times requests out and completes futures. The one place of the client's request bookkeeping.
 * <p>
 * <b>Routing.</b> A node client has one session. A group client has one too, and a cluster client one per group:
 * a keyed request goes to the group the partition map gives its key's partition. A group that answers
 * {@code PARTITION_MOVED} names the owner: the client records it (and re-reads the map from group 0 after repeated
 * redirects) and sends the request there; {@code PARTITION_MIGRATING} is retried after a short, growing pause. A
 * redirected request was not applied, so it keeps its correlation id.
 * <p>
 * <b>Threads.</b> Every field is guarded by {@link #lock} unless it is volatile. A request is sent under the lock;
 * the calling thread then waits without it, taking it only to poll ({@code tryLock}), so whichever thread waits - an
 * application thread or the background poller running this as an {@link Agent} - reads the next responses and
 * completes them for everyone: a blocking caller usually reads its own answer, with no thread hand-off. Results
 * cross threads through {@link PendingRequest#state} (volatile). Futures are completed on the polling thread after
 * the poll that answered them, once it has let go of the lock (so a sender never waits for callbacks, and callbacks
 * may send): callbacks must not block for long. The embedded driver and the Aeron client, when this client drives
 * them ({@link #invokeAgents()}), run outside {@link #lock} too, under a lock of their own that a thread only tries:
 * whoever holds it runs them, everybody else goes on, and a sender never waits behind a driver's duty cycle.
 */
final class ClientConductor implements Agent, ResponseListener
{
    static final long NOT_STORED = 1;
    static final long STORED = 0;

    private static final long TIMEOUT_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long ID_IN_USE_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_MIGRATING_PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int REFRESH_AFTER_REDIRECTS = 3;
    private static final int POOL_CAPACITY = 1024;
    /**
     * An async sender runs the invoked driver itself when at most this many requests are in flight with its own
     * ({@link #submitAsync(PendingRequest)}; {@code AgentInvoker} reports a failing agent to its error handler, so this
     * never throws after the request is registered): the poller is then probably parked, and the request would wait
     * for it to wake before it left (async p50 at 10k req/s 138 -> 88-98 us). With more in flight the poller is awake
     * and sends them in batches (a sender that ran the driver on every request halved saturation, 350k -> 190k req/s;
     * perf-results/latency/client-lock-ab.md).
     */
    static final int SENDER_SENDS_MAX_IN_FLIGHT = 4;

    final ReentrantLock lock = new ReentrantLock();
    /** Held by the thread running the invoked driver and Aeron client; only ever tried, never waited for. */
    private final ReentrantLock agentsLock = new ReentrantLock();
    private final ClientContext ctx;
    private final boolean partitioned;
    private final int groupCount;
    private final ResponseAdapter responseAdapter;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final ManyToManyConcurrentArrayQueue<PendingRequest> pool =
        new ManyToManyConcurrentArrayQueue<>(POOL_CAPACITY);
    /** Async requests that reached their end, put here under the lock and completed by whoever drains it, outside. */
    private final ManyToManyConcurrentArrayQueue<PendingRequest> completed =
        new ManyToManyConcurrentArrayQueue<>(POOL_CAPACITY);
    private AgentInvoker driverInvoker;
    private AgentInvoker aeronInvoker;
    private volatile boolean closed;
    private volatile long mapEpoch = -1;

    // guarded by lock
    private Session[] sessions = new Session[0];
    private final Long2ObjectHashMap<PendingRequest> pending = new Long2ObjectHashMap<>();
    private final ArrayList<PendingRequest> expired = new ArrayList<>();
    private int[] owners;
    private long nextCorrelationId;
    private long nextTimeoutCheckNs;
    private boolean anyUnsent;
    private boolean mapRefreshOutstanding;
    private long redirectsFollowed;
    /** Test seam: run with the lock held right after a request's end (its state) is published; null otherwise. */
    Consumer<PendingRequest> endPublishedHook;

    ClientConductor(final ClientContext ctx)
    {
        this.ctx = ctx;
        this.partitioned = ClientContext.Mode.CLUSTER == ctx.mode();
        this.groupCount = ctx.groupCount();
        this.responseAdapter = new ResponseAdapter(this, ctx.errorHandler());
    }

    public String roleName()
    {
        return "ferrite-client";
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Set-up
    // ----------------------------------------------------------------------------------------------------------------

    void invokers(final AgentInvoker driverInvoker, final AgentInvoker aeronInvoker)
    {
        this.driverInvoker = driverInvoker;
        this.aeronInvoker = aeronInvoker;
    }

    /**
     * Run the embedded driver and the Aeron client once, for those that have no thread of their own.
     */
    int invokeAgents()
    {
        if ((null == driverInvoker && null == aeronInvoker) || !agentsLock.tryLock())
        {
            return 0;
        }
        try
        {
            int work = 0;
            if (!closed)
            {
                if (null != driverInvoker)
                {
                    work += driverInvoker.invoke();
                }
                if (null != aeronInvoker)
                {
                    work += aeronInvoker.invoke();
                }
            }
            return work;
        }
        finally
        {
            agentsLock.unlock();
        }
    }

    ResponseAdapter responseAdapter()
    {
        return responseAdapter;
    }

    /**
     * Install the sessions (under the lock); slot {@code i} serves route {@code i}, a slot may be null.
     */
    void sessions(final Session[] sessions)
    {
        this.sessions = sessions;
    }

    Session session(final int index)
    {
        return sessions[index];
    }

    /**
     * Replace the session of a route, failing what was in flight on the old one.
     */
    void replaceSession(final int index, final Session session, final String reason)
    {
        final Session old = sessions[index];
        if (null != old)
        {
            failRoute(index, reason);
            agentsLock.lock();
            try
            {
                old.close();
            }
            finally
            {
                agentsLock.unlock();
            }
        }
        sessions[index] = session;
    }

    long nextCorrelationId()
    {
        return ++nextCorrelationId;
    }

    long mapEpoch()
    {
        return mapEpoch;
    }

    int partitionCount()
    {
        lock.lock();
        try
        {
            return null == owners ? 0 : owners.length;
        }
        finally
        {
            lock.unlock();
        }
    }

    int ownerOfPartition(final int partition)
    {
        lock.lock();
        try
        {
            return owners[partition];
        }
        finally
        {
            lock.unlock();
        }
    }

    long redirectsFollowed()
    {
        lock.lock();
        try
        {
            return redirectsFollowed;
        }
        finally
        {
            lock.unlock();
        }
    }

    int inFlight()
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

    /**
     * Drive every session until all are up, or fail with the first one that is not.
     */
    void awaitUp(final long deadlineNs)
    {
        int idleCount = 0;
        while (true)
        {
            lock.lock();
            try
            {
                dutyLocked();
                Session down = null;
                for (final Session session : sessions)
                {
                    if (null != session && !session.isUp())
                    {
                        down = session;
                        break;
                    }
                }
                if (null == down)
                {
                    return;
                }
                if (null != down.refusal())
                {
                    throw down.refusal();
                }
                if (clock.nanoTime() - deadlineNs > 0)
                {
                    throw new FerriteTimeoutException(notConnectedReason(down));
                }
            }
            finally
            {
                lock.unlock();
            }
            idle(idleCount++);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Requests
    // ----------------------------------------------------------------------------------------------------------------

    PendingRequest acquire(final int kind, final long deadlineNs)
    {
        PendingRequest request = pool.poll();
        if (null == request)
        {
            request = new PendingRequest();
        }
        request.inPool = false;
        return request.reset(kind, deadlineNs);
    }

    void release(final PendingRequest request)
    {
        if (!request.inPool && PendingRequest.MULTI_GET_PARENT != request.kind)
        {
            request.inPool = true;
            request.clearArguments();
            request.dst = null;
            request.value = null;
            request.future = null;
            request.parent = null;
            pool.offer(request);
        }
    }

    /**
     * Route a request whose arguments are set, register it and send it (or leave it for the next duty cycle if its
     * session is not up or back-pressured).
     *
     * @return how many requests are in flight, this one included.
     *
     * @throws FerriteException if the client is closed or too many requests stay in flight until its deadline.
     */
    int submit(final PendingRequest request)
    {
        lock.lock();
        try
        {
            checkOpen();
            awaitRoomLocked(request.deadlineNs, 1);
            registerLocked(request);
            trySendLocked(request, clock.nanoTime());
            return pending.size();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * {@link #submit(PendingRequest)} for a request whose future the caller returns: with few requests in flight the
     * poller is probably parked, so this thread runs the invoked driver once and the request leaves now.
     */
    void submitAsync(final PendingRequest request)
    {
        if (submit(request) <= SENDER_SENDS_MAX_IN_FLIGHT)
        {
            invokeAgents();
        }
    }

    /**
     * Split a multi-get over its keys' groups, in messages of at most the multi-get key limit, and send every part.
     */
    void submitMultiGet(final PendingRequest parent, final List<byte[]> keys)
    {
        lock.lock();
        try
        {
            checkOpen();
            final int[] positions = new int[keys.size()];
            for (int i = 0; i < positions.length; i++)
            {
                positions[i] = i;
            }
            parent.values = new byte[keys.size()][];
            parent.partsLeft = 0;
            if (keys.isEmpty())
            {
                parent.value = new ArrayList<byte[]>(0);
                endLocked(parent, PendingRequest.DONE);
                return;
            }
            splitMultiGetLocked(parent, keys, positions, parent.deadlineNs, true);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Wait for the answer to a blocking request, polling meanwhile; it ends by its deadline at the latest (the duty
     * cycle times requests out).
     */
    void await(final PendingRequest request)
    {
        int idleCount = 0;
        while (PendingRequest.PENDING == request.state)
        {
            if (duty(request) > 0)
            {
                idleCount = 0;
            }
            if (PendingRequest.PENDING != request.state)
            {
                return;
            }
            idle(idleCount++);
        }
    }

    /**
     * Send a heartbeat ping on a node session.
     *
     * @return true if it was sent.
     */
    boolean sendHeartbeat(final NodeSession session, final long deadlineNs)
    {
        final PendingRequest request = acquire(PendingRequest.HEARTBEAT, deadlineNs);
        request.internal = true;
        request.fixedRoute = true;
        request.route = session.index;
        request.correlationId = nextCorrelationId();
        if (offerLocked(session, request) > 0)
        {
            request.sent = true;
            pending.put(request.correlationId, request);
            return true;
        }
        release(request);
        return false;
    }

    /**
     * Ask group 0 for the partition map again, unless a request for it is out.
     */
    void refreshMapLocked(final PendingRequest caller)
    {
        if (!partitioned || (mapRefreshOutstanding && null == caller))
        {
            return;
        }
        PendingRequest request = caller;
        if (null == request)
        {
            request = acquire(PendingRequest.PARTITION_MAP, clock.nanoTime() + ctx.requestTimeoutNs());
            request.internal = true;
        }
        request.fixedRoute = true;
        request.route = 0;
        mapRefreshOutstanding = true;
        registerLocked(request);
        trySendLocked(request, clock.nanoTime());
    }

    /**
     * Send a partition map request and wait for it (at connect, or when asked by the application).
     */
    void fetchMap(final PendingRequest request)
    {
        lock.lock();
        try
        {
            checkOpen();
            refreshMapLocked(request);
        }
        finally
        {
            lock.unlock();
        }
        await(request);
    }

    void close()
    {
        lock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
            failAllLocked("the client was closed");
            // closing a publication runs the invoked driver from inside Aeron: nobody else may be running it then,
            // and once closed is set and this lock let go, nobody runs it again (the caller closes Aeron next)
            agentsLock.lock();
            try
            {
                for (final Session session : sessions)
                {
                    if (null != session)
                    {
                        session.close();
                    }
                }
            }
            finally
            {
                agentsLock.unlock();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Duty cycle
    // ----------------------------------------------------------------------------------------------------------------

    public int doWork()
    {
        return duty(null);
    }

    /**
     * A duty cycle by a thread that does not hold the lock: the agents if nobody runs them, then, if the lock is
     * free, the sessions (unless {@code awaited} has ended meanwhile) and, after letting go of it, the completions.
     *
     * @return work done, completions included.
     */
    private int duty(final PendingRequest awaited)
    {
        int work = invokeAgents();
        if (lock.tryLock())
        {
            try
            {
                if (null == awaited || PendingRequest.PENDING == awaited.state)
                {
                    work += sessionsDutyLocked();
                }
            }
            finally
            {
                lock.unlock();
            }
            work += drainCompleted();
        }
        return work;
    }

    /**
     * A whole duty cycle by a thread that holds the lock: the agents, the sessions, and the completions.
     */
    int dutyLocked()
    {
        final int work = invokeAgents() + sessionsDutyLocked();
        drainCompleted();
        return work;
    }

    private int sessionsDutyLocked()
    {
        int work = 0;
        if (closed)
        {
            return work;
        }
        final long nowNs = clock.nanoTime();
        final Session[] sessions = this.sessions;
        for (final Session session : sessions)
        {
            if (null != session)
            {
                work += session.doWork(nowNs);
            }
        }
        if (anyUnsent)
        {
            work += resendUnsentLocked(nowNs);
        }
        if (nowNs - nextTimeoutCheckNs >= 0)
        {
            nextTimeoutCheckNs = nowNs + TIMEOUT_CHECK_INTERVAL_NS;
            work += checkTimeoutsLocked(nowNs);
        }
        return work;
    }

    /**
     * A session (re)opened: what was in flight on it may never have reached the group's log.
     */
    void resendRoute(final int index)
    {
        if (pending.isEmpty())
        {
            return;
        }
        for (final PendingRequest request : pending.values())
        {
            if (index == request.route)
            {
                request.sent = false;
                anyUnsent = true;
            }
        }
    }

    void onNewLeader(final int index)
    {
        resendRoute(index);
        if (partitioned)
        {
            refreshMapLocked(null);
        }
    }

    boolean hasRequestsOn(final int index)
    {
        if (pending.isEmpty())
        {
            return false;
        }
        for (final PendingRequest request : pending.values())
        {
            if (index == request.route)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Fail every request in flight on one route (a node that restarted lost them).
     */
    void failRoute(final int index, final String reason)
    {
        failRoute(index, new FerriteException(reason));
    }

    /**
     * Fail every request in flight on one route with {@code failure} (a node that restarted lost them; a node or
     * group that refused the credentials will not take them).
     */
    void failRoute(final int index, final FerriteException failure)
    {
        final String reason = failure.getMessage();
        final ErrorCode code = failure.code();
        final Long2ObjectHashMap<PendingRequest>.ValueIterator iterator = pending.values().iterator();
        while (iterator.hasNext())
        {
            final PendingRequest request = iterator.next();
            if (index == request.route)
            {
                iterator.remove();
                expired.add(request);
            }
        }
        for (int i = 0, n = expired.size(); i < n; i++)
        {
            failLocked(expired.get(i), code, reason, failure);
        }
        expired.clear();
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Responses
    // ----------------------------------------------------------------------------------------------------------------

    public void onConnected(final ConnectResponseDecoder decoder)
    {
        for (final Session session : sessions)
        {
            if (session instanceof NodeSession && ((NodeSession)session).onConnected(decoder))
            {
                return;
            }
        }
    }

    public void onGet(final GetResponseDecoder decoder)
    {
        final PendingRequest request = pending.remove(decoder.correlationId());
        if (null == request)
        {
            return;
        }
        final boolean found = BooleanType.TRUE == decoder.found();
        if (PendingRequest.GET_COPY == request.kind)
        {
            if (found)
            {
                final int length = decoder.valueLength();
                if (length <= request.dst.capacity() - request.dstOffset)
                {
                    decoder.getValue(request.dst, request.dstOffset, length);
                }
                request.result = length;
            }
            else
            {
                request.result = FerriteClient.NOT_FOUND;
            }
        }
        else if (PendingRequest.GET_BYTES == request.kind)
        {
            if (found)
            {
                final byte[] value = new byte[decoder.valueLength()];
                decoder.getValue(value, 0, value.length);
                request.value = value;
            }
        }
        else
        {
            failLocked(request, null, null, new FerriteException("unexpected get response to request " +
                request.correlationId));
            return;
        }
        doneLocked(request);
    }

    public void onPut(final long correlationId, final boolean stored)
    {
        final PendingRequest request = pending.remove(correlationId);
        if (null != request)
        {
            request.result = stored ? STORED : NOT_STORED;
            doneLocked(request);
        }
    }

    public void onDelete(final long correlationId, final boolean deleted)
    {
        final PendingRequest request = pending.remove(correlationId);
        if (null != request)
        {
            request.result = deleted ? 1 : 0;
            doneLocked(request);
        }
    }

    public void onMultiGet(final MultiGetResponseDecoder decoder)
    {
        final PendingRequest part = pending.remove(decoder.correlationId());
        if (null == part)
        {
            return;
        }
        final PendingRequest parent = part.parent;
        final MultiGetResponseDecoder.ValuesDecoder values = decoder.values();
        final boolean live = null != parent && PendingRequest.PENDING == parent.state;
        int i = 0;
        while (values.hasNext())
        {
            values.next();
            final boolean found = BooleanType.TRUE == values.found();
            final int length = values.valueLength();
            if (found && live && i < part.positions.length)
            {
                final byte[] value = new byte[length];
                values.getValue(value, 0, length);
                parent.values[part.positions[i]] = value;
            }
            else
            {
                values.skipValue();
            }
            i++;
        }
        if (live)
        {
            if (--parent.partsLeft == 0)
            {
                final ArrayList<byte[]> result = new ArrayList<>(parent.values.length);
                for (final byte[] value : parent.values)
                {
                    result.add(value);
                }
                parent.value = result;
                parent.values = null;
                endLocked(parent, PendingRequest.DONE);
            }
        }
        release(part);
    }

    public void onPong(final long correlationId, final long timestampNs)
    {
        final PendingRequest request = pending.remove(correlationId);
        if (null != request)
        {
            request.result = clock.nanoTime() - timestampNs;
            doneLocked(request);
        }
    }

    public void onStats(final StatsResponseDecoder decoder)
    {
        final PendingRequest request = pending.remove(decoder.correlationId());
        if (null != request)
        {
            request.value = new NodeStats(decoder.nodeInstanceId(), decoder.uptimeMs(), decoder.size(),
                decoder.liveBytes(), decoder.capacityBytes(), decoder.hits(), decoder.misses(), decoder.puts(),
                decoder.deletes(), decoder.evictions(), decoder.expirations(), decoder.rejected(), decoder.requests(),
                decoder.errors(), decoder.sessions());
            doneLocked(request);
        }
    }

    public void onError(final ErrorResponseDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final ErrorCode code = decoder.code();
        if (ErrorCode.CLIENT_ID_IN_USE == code)
        {
            // this instance's previous session (before a reconnect) still owns the id: retry until the group has
            // closed it or the request times out
            final PendingRequest request = pending.get(correlationId);
            if (null != request)
            {
                request.sent = false;
                request.notBeforeNs = clock.nanoTime() + ID_IN_USE_RETRY_NS;
                anyUnsent = true;
            }
            return;
        }
        final String message = decoder.message();
        if (ErrorCode.AUTHENTICATION_FAILED == code)
        {
            for (final Session session : sessions)
            {
                if (session instanceof NodeSession && ((NodeSession)session).onConnectRefused(correlationId, message))
                {
                    return;
                }
            }
        }
        final PendingRequest request = pending.remove(correlationId);
        if (null != request)
        {
            failLocked(request, code, message, null);
        }
    }

    public void onRedirect(final PartitionRedirectResponseDecoder decoder)
    {
        final PendingRequest request = pending.remove(decoder.correlationId());
        if (null == request)
        {
            return;
        }
        final ErrorCode code = decoder.code();
        final int partition = decoder.partition();
        final int owner = decoder.ownerGroup();
        final long epoch = decoder.mapEpoch();
        if (!partitioned || null == owners || partition >= owners.length || owner >= groupCount ||
            (request.partition < 0 && PendingRequest.MULTI_GET != request.kind))
        {
            failLocked(request, code, null, new FerriteRedirectException(code, partition, owner, epoch));
            return;
        }
        redirectsFollowed++;
        final long nowNs = clock.nanoTime();
        final int redirects = ++request.redirects;
        if (ErrorCode.PARTITION_MIGRATING == code)
        {
            request.notBeforeNs = nowNs + Math.min(MAX_MIGRATING_PAUSE_NS,
                TimeUnit.MILLISECONDS.toNanos(1L << Math.min(redirects, 5)));
        }
        else
        {
            if (owners[partition] != owner && epoch >= mapEpoch)
            {
                owners[partition] = owner;
                mapEpoch = epoch;
            }
            if (redirects >= REFRESH_AFTER_REDIRECTS)
            {
                request.notBeforeNs = nowNs + TimeUnit.MILLISECONDS.toNanos(1);
                refreshMapLocked(null);
            }
        }
        if (PendingRequest.MULTI_GET == request.kind)
        {
            resplitLocked(request);
            return;
        }
        request.route = owners[request.partition];
        request.sent = false;
        pending.put(request.correlationId, request);
        anyUnsent = true;
    }

    public void onPartitionMap(final PartitionMapResponseDecoder decoder)
    {
        final PendingRequest request = pending.remove(decoder.correlationId());
        if (null == request)
        {
            return;
        }
        final long epoch = decoder.mapEpoch();
        final PartitionMapResponseDecoder.OwnersDecoder ownersDecoder = decoder.owners();
        final int[] fresh = new int[ownersDecoder.count()];
        int p = 0;
        boolean valid = fresh.length > 0;
        while (ownersDecoder.hasNext())
        {
            final int owner = ownersDecoder.next().owner();
            valid &= owner < groupCount;
            fresh[p++] = owner;
        }
        mapRefreshOutstanding = false;
        if (!valid)
        {
            failLocked(request, null, null, new FerriteException("group 0's partition map names " +
                "groups this client was not given (it knows " + groupCount + ") or no partitions"));
            return;
        }
        if (null == owners || epoch >= mapEpoch)
        {
            owners = fresh;
            mapEpoch = epoch;
        }
        doneLocked(request);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------------------------

    private void checkOpen()
    {
        if (closed)
        {
            throw new FerriteException("the client is closed");
        }
    }

    private void awaitRoomLocked(final long deadlineNs, final int needed)
    {
        int idleCount = 0;
        while (pending.size() + needed > ctx.maxInFlight() && !pending.isEmpty())
        {
            dutyLocked();
            if (clock.nanoTime() - deadlineNs > 0)
            {
                throw new FerriteTimeoutException("more than " + ctx.maxInFlight() + " requests stayed in flight for " +
                    TimeUnit.NANOSECONDS.toMillis(ctx.requestTimeoutNs()) + " ms");
            }
            lock.unlock();
            try
            {
                idle(idleCount++);
            }
            finally
            {
                lock.lock();
            }
            checkOpen();
        }
    }

    private void registerLocked(final PendingRequest request)
    {
        if (partitioned && !request.fixedRoute && null != request.key)
        {
            request.partition = PartitionHash.partition(
                request.key, request.keyOffset, request.keyLength, owners.length);
            request.route = owners[request.partition];
        }
        request.correlationId = ++nextCorrelationId;
        pending.put(request.correlationId, request);
    }

    private void trySendLocked(final PendingRequest request, final long nowNs)
    {
        final Session session = sessions[request.route];
        if (null == session || !session.isUp() || nowNs - request.notBeforeNs < 0)
        {
            request.sent = false;
            anyUnsent = true;
            return;
        }
        final long result = offerLocked(session, request);
        if (result > 0)
        {
            request.sent = true;
            return;
        }
        request.sent = false;
        anyUnsent = true;
        if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result)
        {
            session.suspect();
        }
        else if (Publication.MAX_POSITION_EXCEEDED == result)
        {
            // the publication is full for good: the request cannot go (it times out); reopening the session helps
            session.suspect();
        }
    }

    private long offerLocked(final Session session, final PendingRequest request)
    {
        final RequestPublisher publisher = session.publisher;
        switch (request.kind)
        {
            case PendingRequest.GET_COPY:
            case PendingRequest.GET_BYTES:
                return publisher.get(request.correlationId, request.key, request.keyOffset, request.keyLength);
            case PendingRequest.PUT:
                return publisher.put(request.correlationId, request.key, request.keyOffset, request.keyLength,
                    request.valueSource, request.valueOffset, request.valueLength, request.ttlMs, request.mode);
            case PendingRequest.DELETE:
            case PendingRequest.INVALIDATE:
                return publisher.delete(request.correlationId, request.key, request.keyOffset, request.keyLength,
                    PendingRequest.INVALIDATE == request.kind);
            case PendingRequest.COMPARE_AND_SET:
                return publisher.compareAndSet(request.correlationId, request.key, request.keyOffset,
                    request.keyLength, request.expected, request.expectedOffset, request.expectedLength,
                    request.valueSource, request.valueOffset, request.valueLength, request.ttlMs);
            case PendingRequest.MULTI_GET:
                return publisher.multiGet(request.correlationId, request.keys);
            case PendingRequest.PING:
            case PendingRequest.HEARTBEAT:
                return publisher.ping(request.correlationId, clock.nanoTime());
            case PendingRequest.STATS:
                return publisher.stats(request.correlationId);
            case PendingRequest.PARTITION_MAP:
                return publisher.partitionMap(request.correlationId);
            default:
                throw new IllegalStateException("unknown request kind " + request.kind);
        }
    }

    private int resendUnsentLocked(final long nowNs)
    {
        anyUnsent = false;
        int sent = 0;
        for (final PendingRequest request : pending.values())
        {
            if (!request.sent)
            {
                trySendLocked(request, nowNs);
                if (request.sent)
                {
                    sent++;
                }
            }
        }
        return sent;
    }

    private void splitMultiGetLocked(
        final PendingRequest parent, final List<byte[]> keys, final int[] positions, final long deadlineNs,
        final boolean mayWait)
    {
        final int groups = partitioned ? groupCount : 1;
        final int[] groupOf = new int[keys.size()];
        if (partitioned)
        {
            for (int i = 0; i < groupOf.length; i++)
            {
                groupOf[i] = owners[PartitionHash.partition(keys.get(i), owners.length)];
            }
        }
        final int maxBytes = ctx.maxMessageLength() - RequestLimits.REQUEST_OVERHEAD;
        for (int g = 0; g < groups; g++)
        {
            ArrayList<byte[]> partKeys = null;
            int[] partPositions = null;
            int count = 0;
            int bytes = 0;
            for (int i = 0; i < keys.size(); i++)
            {
                final byte[] key = keys.get(i);
                if (groupOf[i] != g)
                {
                    continue;
                }
                if (null != partKeys && (count == ctx.maxMultiGetKeys() || bytes + key.length + 4 > maxBytes))
                {
                    sendPartLocked(parent, g, partKeys, partPositions, count, deadlineNs, mayWait);
                    partKeys = null;
                }
                if (null == partKeys)
                {
                    partKeys = new ArrayList<>();
                    partPositions = new int[Math.min(keys.size(), ctx.maxMultiGetKeys())];
                    count = 0;
                    bytes = 0;
                }
                partKeys.add(key);
                partPositions[count++] = positions[i];
                bytes += key.length + 4;
            }
            if (null != partKeys)
            {
                sendPartLocked(parent, g, partKeys, partPositions, count, deadlineNs, mayWait);
            }
        }
    }

    private void sendPartLocked(
        final PendingRequest parent, final int route, final List<byte[]> keys, final int[] positions, final int count,
        final long deadlineNs, final boolean mayWait)
    {
        if (mayWait)
        {
            awaitRoomLocked(deadlineNs, 1);
        }
        final PendingRequest part = acquire(PendingRequest.MULTI_GET, deadlineNs);
        part.internal = true;
        part.fixedRoute = true;
        part.parent = parent;
        part.route = route;
        part.keys = keys;
        part.positions = count == positions.length ? positions : Arrays.copyOf(positions, count);
        parent.partsLeft++;
        registerLocked(part);
        trySendLocked(part, clock.nanoTime());
    }

    /**
     * A multi-get part was redirected: split its keys again by the updated map.
     */
    private void resplitLocked(final PendingRequest part)
    {
        final PendingRequest parent = part.parent;
        if (null != parent && PendingRequest.PENDING == parent.state)
        {
            parent.partsLeft--;
            splitMultiGetLocked(parent, part.keys, part.positions, part.deadlineNs, false);
        }
        release(part);
    }

    private int checkTimeoutsLocked(final long nowNs)
    {
        if (pending.isEmpty())
        {
            return 0;
        }
        final Long2ObjectHashMap<PendingRequest>.ValueIterator iterator = pending.values().iterator();
        while (iterator.hasNext())
        {
            final PendingRequest request = iterator.next();
            if (nowNs - request.deadlineNs > 0)
            {
                iterator.remove();
                expired.add(request);
            }
        }
        final int count = expired.size();
        for (int i = 0; i < count; i++)
        {
            final PendingRequest request = expired.get(i);
            final Session session = sessions[request.route];
            if (request.sent && null != session)
            {
                session.suspect();
            }
            failLocked(request, null, null, new FerriteTimeoutException(timeoutMessage(request, session)));
        }
        expired.clear();
        return count;
    }

    private String timeoutMessage(final PendingRequest request, final Session session)
    {
        final long ms = TimeUnit.NANOSECONDS.toMillis(ctx.requestTimeoutNs());
        if (request.redirects > 0)
        {
            return "partition " + request.partition + " did not settle within the request timeout of " + ms +
                " ms (" + request.redirects + " redirects followed)";
        }
        if (!request.sent && null != session && !session.isUp())
        {
            return notConnectedReason(session);
        }
        return "no answer to request " + request.correlationId + " within " + ms + " ms from " +
            (null == session ? "a closed session" : session.describe()) +
            (request.isWrite() ? "; the write may or may not have been applied" : "");
    }

    private static String notConnectedReason(final Session session)
    {
        return session instanceof NodeSession ? ((NodeSession)session).notConnectedReason() :
            ((GroupSession)session).notConnectedReason();
    }

    private void doneLocked(final PendingRequest request)
    {
        if (PendingRequest.HEARTBEAT == request.kind)
        {
            heartbeatDone(request);
            return;
        }
        endLocked(request, PendingRequest.DONE);
    }

    private void failLocked(
        final PendingRequest request, final ErrorCode code, final String message, final Throwable failure)
    {
        if (PendingRequest.HEARTBEAT == request.kind)
        {
            final Session session = sessions[request.route];
            if (null != session)
            {
                session.suspect();
            }
            heartbeatDone(request);
            return;
        }
        if (PendingRequest.PARTITION_MAP == request.kind)
        {
            mapRefreshOutstanding = false;
        }
        if (PendingRequest.MULTI_GET == request.kind)
        {
            final PendingRequest parent = request.parent;
            if (null != parent && PendingRequest.PENDING == parent.state)
            {
                parent.errorCode = code;
                parent.errorMessage = message;
                parent.failure = failure;
                endLocked(parent, PendingRequest.FAILED);
            }
            release(request);
            return;
        }
        request.errorCode = code;
        request.errorMessage = message;
        request.failure = failure;
        endLocked(request, PendingRequest.FAILED);
    }

    private void heartbeatDone(final PendingRequest request)
    {
        final Session session = sessions[request.route];
        if (session instanceof NodeSession)
        {
            ((NodeSession)session).heartbeatOutstanding = false;
        }
        release(request);
    }

    /**
     * A request reached its end ({@code state}, its results written): its future is completed after the poll; an
     * internal request goes back to the pool; a blocking caller reads it and releases it. The state is published
     * last: a blocking caller owns the request from the moment it sees the state and may release it to the pool,
     * where another thread takes it for its next request (setting a future of its own) at once, so nothing here may
     * touch the request after that write.
     */
    private void endLocked(final PendingRequest request, final int state)
    {
        if (null != request.future)
        {
            request.state = state;
            if (!completed.offer(request))
            {
                complete(request);
            }
        }
        else if (request.internal)
        {
            request.state = state;
            release(request);
        }
        else
        {
            request.state = state;
        }
        if (null != endPublishedHook)
        {
            endPublishedHook.accept(request);
        }
    }

    /**
     * Complete the futures of the async requests that have ended (any thread, with or without the lock).
     *
     * @return how many were completed.
     */
    int drainCompleted()
    {
        int count = 0;
        PendingRequest request;
        while (null != (request = completed.poll()))
        {
            complete(request);
            count++;
        }
        return count;
    }

    @SuppressWarnings("unchecked")
    private void complete(final PendingRequest request)
    {
        final CompletableFuture<Object> future = (CompletableFuture<Object>)request.future;
        if (PendingRequest.FAILED == request.state)
        {
            final RuntimeException failure = failureOf(request);
            release(request);
            future.completeExceptionally(failure);
        }
        else
        {
            final Object result;
            switch (request.kind)
            {
                case PendingRequest.GET_BYTES:
                case PendingRequest.MULTI_GET_PARENT:
                case PendingRequest.STATS:
                    result = request.value;
                    break;
                case PendingRequest.PUT:
                case PendingRequest.COMPARE_AND_SET:
                    result = STORED == request.result;
                    break;
                case PendingRequest.DELETE:
                case PendingRequest.INVALIDATE:
                    result = 1 == request.result;
                    break;
                default:
                    result = request.result;
                    break;
            }
            release(request);
            future.complete(result);
        }
    }

    private void failAllLocked(final String reason)
    {
        final Long2ObjectHashMap<PendingRequest>.ValueIterator iterator = pending.values().iterator();
        while (iterator.hasNext())
        {
            expired.add(iterator.next());
            iterator.remove();
        }
        for (int i = 0, n = expired.size(); i < n; i++)
        {
            failLocked(expired.get(i), null, reason, new FerriteException(reason));
        }
        expired.clear();
        drainCompleted();
    }

    /**
     * The exception a failed request ends with: the server's code, a timeout, or a client-side failure.
     */
    static RuntimeException failureOf(final PendingRequest request)
    {
        if (request.failure instanceof FerriteRedirectException)
        {
            return (FerriteRedirectException)request.failure;
        }
        if (null != request.errorCode)
        {
            return new FerriteRequestException(request.errorCode, request.errorMessage);
        }
        if (request.failure instanceof FerriteTimeoutException)
        {
            return new FerriteTimeoutException(request.failure.getMessage());
        }
        return new FerriteException(null != request.errorMessage ? request.errorMessage :
            null != request.failure ? request.failure.getMessage() : "request failed");
    }

    /**
     * Spin, then yield, then park from 1 us doubling up to {@link IdleStrategies#BACKOFF_MAX_PARK_NS}, with the
     * caller's timer slack lowered the first time it parks ({@link TimerSlack}); allocates nothing after that.
     */
    static void idle(final int idleCount)
    {
        if (idleCount < 20)
        {
            Thread.onSpinWait();
        }
        else if (idleCount < 40)
        {
            Thread.yield();
        }
        else
        {
            if (40 == idleCount)
            {
                LowSlackIdleStrategy.lowerCurrentThreadSlack();
            }
            LockSupport.parkNanos(Math.min(IdleStrategies.BACKOFF_MAX_PARK_NS, 1000L << Math.min(idleCount - 40, 7)));
        }
    }
}
