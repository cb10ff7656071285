package io.ferrite.transport;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.ConnectResponseDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.GetResponseDecoder;
import io.ferrite.codec.sbe.MultiGetResponseDecoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.StatsResponseDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client's core: the session with the node (connect, heartbeat, reconnect), sending requests and matching
 * responses to them by correlation id.
 * <p>
 * <b>Threads.</b> Every field below the lock is guarded by {@link #lock}. A request is encoded and sent under the
 * lock; then the calling thread waits without it, taking it only to poll responses ({@code tryLock}), so whichever
 * thread is waiting - an application thread or the conductor thread running this as an {@link Agent} - reads the
 * next responses and completes them for everyone. A blocking caller usually reads its own answer: no thread
 * hand-off, which costs tens of microseconds on a small machine. Results cross threads through
 * {@link PendingRequest#state} (volatile).
 * <p>
 * Futures of async requests are completed after the poll that found them, on the polling thread and under the lock:
 * callbacks must not block for long.
 */
final class ClientConductor implements Agent, ResponseListener
{
    static final int DISCONNECTED = 0;
    static final int CONNECTING = 1;
    static final int CONNECTED = 2;
    static final int CLOSED = 3;

    private static final int FRAGMENT_LIMIT = 64;
    private static final long CONNECT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long TIMEOUT_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int POOL_CAPACITY = 256;

    final ReentrantLock lock = new ReentrantLock();
    private AgentInvoker driverInvoker;
    private AgentInvoker aeronInvoker;
    private final ClientContext ctx;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final String responseChannel;
    private final RequestPublisher publisher;
    private final FragmentAssembler assembler;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final ManyToManyConcurrentArrayQueue<PendingRequest> pool =
        new ManyToManyConcurrentArrayQueue<>(POOL_CAPACITY);
    private volatile int state = DISCONNECTED;
    private volatile boolean responseImageLost;
    private volatile long nodeInstanceId;

    // guarded by lock
    private final Long2ObjectHashMap<PendingRequest> pending = new Long2ObjectHashMap<>();
    private final ArrayList<PendingRequest> completed = new ArrayList<>();
    private final ArrayList<PendingRequest> expired = new ArrayList<>();
    private long nextCorrelationId = 1;
    private long connectCorrelationId = -1;
    private long firstConnectCorrelationId = -1;
    private long lastConnectAttemptNs;
    private long lastResponseNs;
    private long nextTimeoutCheckNs;
    private boolean heartbeatOutstanding;

    ClientConductor(
        final ClientContext ctx,
        final ExclusivePublication publication,
        final Subscription subscription,
        final String responseChannel)
    {
        this.ctx = ctx;
        this.publication = publication;
        this.subscription = subscription;
        this.responseChannel = responseChannel;
        this.publisher = new RequestPublisher(publication, ctx.clientId());
        this.assembler = new FragmentAssembler(new ResponseAdapter(this, ctx.errorHandler()));
    }

    public String roleName()
    {
        return "ferrite-client";
    }

    public int doWork()
    {
        if (!lock.tryLock())
        {
            return 0;
        }
        try
        {
            return dutyLocked();
        }
        finally
        {
            lock.unlock();
        }
    }

    boolean isConnected()
    {
        return CONNECTED == state;
    }

    long nodeInstanceId()
    {
        return nodeInstanceId;
    }

    void onResponseImageLost()
    {
        responseImageLost = true;
    }

    /**
     * Wait until the session is open or the deadline passes.
     *
     * @throws FerriteTimeoutException if it does not open in time.
     */
    void awaitConnected(final long deadlineNs)
    {
        lock.lock();
        try
        {
            awaitConnectedLocked(deadlineNs, true);
        }
        finally
        {
            lock.unlock();
        }
    }

    PendingRequest acquire(final int kind, final long deadlineNs)
    {
        PendingRequest request = pool.poll();
        if (null == request)
        {
            request = new PendingRequest();
            request.pooled = true;
        }
        return request.reset(kind, 0, deadlineNs);
    }

    void release(final PendingRequest request)
    {
        if (request.pooled)
        {
            request.dst = null;
            request.value = null;
            pool.offer(request);
        }
    }

    void sendKeyRequest(final PendingRequest request, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        request.key = key;
        request.keyOffset = keyOffset;
        request.keyLength = keyLength;
        send(request);
    }

    void sendPut(
        final PendingRequest request,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long ttlMs,
        final PutMode mode)
    {
        request.key = key;
        request.keyOffset = keyOffset;
        request.keyLength = keyLength;
        request.valueSource = value;
        request.valueOffset = valueOffset;
        request.valueLength = valueLength;
        request.ttlMs = ttlMs;
        request.mode = mode;
        send(request);
    }

    void sendMultiGet(final PendingRequest request, final List<byte[]> keys)
    {
        request.keys = keys;
        send(request);
    }

    /**
     * Send a request whose arguments are set, once the session is open.
     *
     * @throws FerriteTimeoutException if the session is not open or the stream stays back-pressured until the
     *                                 request's deadline.
     */
    void send(final PendingRequest request)
    {
        lock.lock();
        try
        {
            awaitConnectedLocked(request.deadlineNs, true);
            sendLocked(request);
        }
        finally
        {
            request.key = null;
            request.valueSource = null;
            request.keys = null;
            lock.unlock();
        }
    }

    /**
     * Wait for the answer to a blocking request, polling responses meanwhile.
     *
     * @throws FerriteTimeoutException if no answer came by the request's deadline.
     */
    void await(final PendingRequest request)
    {
        int idleCount = 0;
        while (PendingRequest.PENDING == request.state)
        {
            if (lock.tryLock())
            {
                try
                {
                    if (PendingRequest.PENDING == request.state)
                    {
                        if (dutyLocked() > 0)
                        {
                            idleCount = 0;
                        }
                    }
                }
                finally
                {
                    lock.unlock();
                }
            }
            if (PendingRequest.PENDING != request.state)
            {
                return;
            }
            if (clock.nanoTime() - request.deadlineNs > 0)
            {
                lock.lock();
                try
                {
                    if (PendingRequest.PENDING == request.state)
                    {
                        pending.remove(request.correlationId);
                        suspectSessionLocked();
                        throw new FerriteTimeoutException("no answer to request " + request.correlationId +
                            " within " + TimeUnit.NANOSECONDS.toMillis(ctx.requestTimeoutNs()) +
                            " ms from the node at " + ctx.nodeChannel() + " stream " + ctx.nodeStreamId());
                    }
                }
                finally
                {
                    lock.unlock();
                }
                return;
            }
            idle(idleCount++);
        }
    }

    void close()
    {
        lock.lock();
        try
        {
            if (CLOSED == state)
            {
                return;
            }
            final boolean wasConnected = CONNECTED == state;
            state = CLOSED;
            if (wasConnected)
            {
                publisher.disconnect(nextCorrelationId++);
            }
            failAllLocked("the client was closed");
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Drive an embedded media driver and the Aeron client from this conductor's duty (both may be null). Set before
     * the conductor is used.
     */
    void invokers(final AgentInvoker driverInvoker, final AgentInvoker aeronInvoker)
    {
        this.driverInvoker = driverInvoker;
        this.aeronInvoker = aeronInvoker;
    }

    int dutyLocked()
    {
        int work = 0;
        if (null != driverInvoker)
        {
            work += driverInvoker.invoke();
            work += aeronInvoker.invoke();
        }
        work += subscription.poll(assembler, FRAGMENT_LIMIT);
        if (!completed.isEmpty())
        {
            drainCompletedLocked();
        }
        if (CLOSED == state)
        {
            return work;
        }
        final long nowNs = clock.nanoTime();
        if (responseImageLost)
        {
            responseImageLost = false;
            suspectSessionLocked();
        }
        if (DISCONNECTED == state || (CONNECTING == state && nowNs - lastConnectAttemptNs > CONNECT_RETRY_NS))
        {
            work += sendConnectLocked(nowNs);
        }
        if (nowNs - nextTimeoutCheckNs >= 0)
        {
            nextTimeoutCheckNs = nowNs + TIMEOUT_CHECK_INTERVAL_NS;
            work += checkTimeoutsLocked(nowNs);
            if (CONNECTED == state && !heartbeatOutstanding && nowNs - lastResponseNs > ctx.heartbeatIntervalNs())
            {
                sendHeartbeatLocked(nowNs);
            }
        }
        return work;
    }

    public void onConnected(final ConnectResponseDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        if (CONNECTING != state || correlationId < firstConnectCorrelationId || correlationId > connectCorrelationId)
        {
            return;
        }
        final long instanceId = decoder.nodeInstanceId();
        if (0 != nodeInstanceId && instanceId != nodeInstanceId)
        {
            failAllLocked("the node restarted (instance " + Long.toHexString(nodeInstanceId) + " is now " +
                Long.toHexString(instanceId) + "); the request was lost");
        }
        nodeInstanceId = instanceId;
        lastResponseNs = clock.nanoTime();
        state = CONNECTED;
    }

    public void onGet(final GetResponseDecoder decoder)
    {
        final PendingRequest request = take(decoder.correlationId());
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
            fail(request, new FerriteException("unexpected get response to request " + request.correlationId));
            return;
        }
        complete(request);
    }

    public void onPut(final long correlationId, final boolean stored)
    {
        final PendingRequest request = take(correlationId);
        if (null != request)
        {
            request.result = stored ? FerriteClient.STORED : FerriteClient.NOT_STORED;
            complete(request);
        }
    }

    public void onDelete(final long correlationId, final boolean deleted)
    {
        final PendingRequest request = take(correlationId);
        if (null != request)
        {
            request.result = deleted ? 1 : 0;
            complete(request);
        }
    }

    public void onMultiGet(final MultiGetResponseDecoder decoder)
    {
        final PendingRequest request = take(decoder.correlationId());
        if (null == request)
        {
            return;
        }
        final MultiGetResponseDecoder.ValuesDecoder values = decoder.values();
        final ArrayList<byte[]> result = new ArrayList<>(values.count());
        while (values.hasNext())
        {
            values.next();
            final boolean found = BooleanType.TRUE == values.found();
            final int length = values.valueLength();
            if (found)
            {
                final byte[] value = new byte[length];
                values.getValue(value, 0, length);
                result.add(value);
            }
            else
            {
                values.skipValue();
                result.add(null);
            }
        }
        request.value = result;
        complete(request);
    }

    public void onPong(final long correlationId, final long timestampNs)
    {
        final PendingRequest request = take(correlationId);
        if (null != request)
        {
            request.result = clock.nanoTime() - timestampNs;
            complete(request);
        }
    }

    public void onStats(final StatsResponseDecoder decoder)
    {
        final PendingRequest request = take(decoder.correlationId());
        if (null != request)
        {
            request.value = new NodeStats(decoder.nodeInstanceId(), decoder.uptimeMs(), decoder.size(),
                decoder.liveBytes(), decoder.capacityBytes(), decoder.hits(), decoder.misses(), decoder.puts(),
                decoder.deletes(), decoder.evictions(), decoder.expirations(), decoder.rejected(), decoder.requests(),
                decoder.errors(), decoder.sessions());
            complete(request);
        }
    }

    public void onError(final ErrorResponseDecoder decoder)
    {
        final PendingRequest request = take(decoder.correlationId());
        if (null != request)
        {
            final ErrorCode code = decoder.code();
            final String message = decoder.message();
            request.errorCode = code;
            request.errorMessage = message;
            fail(request, null);
        }
    }

    private PendingRequest take(final long correlationId)
    {
        lastResponseNs = clock.nanoTime();
        return pending.remove(correlationId);
    }

    private void complete(final PendingRequest request)
    {
        if (PendingRequest.HEARTBEAT == request.kind)
        {
            heartbeatOutstanding = false;
            request.state = PendingRequest.DONE;
            release(request);
            return;
        }
        request.state = PendingRequest.DONE;
        if (null != request.future)
        {
            completed.add(request);
        }
    }

    private void fail(final PendingRequest request, final Throwable failure)
    {
        if (PendingRequest.HEARTBEAT == request.kind)
        {
            heartbeatOutstanding = false;
            request.state = PendingRequest.FAILED;
            release(request);
            return;
        }
        request.failure = failure;
        request.state = PendingRequest.FAILED;
        if (null != request.future)
        {
            completed.add(request);
        }
    }

    @SuppressWarnings("unchecked")
    private void drainCompletedLocked()
    {
        while (!completed.isEmpty())
        {
            final PendingRequest request = completed.remove(completed.size() - 1);
            final CompletableFuture<Object> future = (CompletableFuture<Object>)request.future;
            if (PendingRequest.FAILED == request.state)
            {
                future.completeExceptionally(FerriteClient.failureOf(request));
                continue;
            }
            switch (request.kind)
            {
                case PendingRequest.GET_BYTES:
                case PendingRequest.MULTI_GET:
                case PendingRequest.STATS:
                    future.complete(request.value);
                    break;
                case PendingRequest.PUT:
                    future.complete(FerriteClient.STORED == request.result);
                    break;
                case PendingRequest.DELETE:
                case PendingRequest.INVALIDATE:
                    future.complete(1 == request.result);
                    break;
                default:
                    future.complete(request.result);
                    break;
            }
        }
    }

    private void sendLocked(final PendingRequest request)
    {
        request.correlationId = nextCorrelationId++;
        while (true)
        {
            final long result = offerLocked(request);
            if (result > 0)
            {
                pending.put(request.correlationId, request);
                return;
            }
            if (Publication.NOT_CONNECTED == result)
            {
                suspectSessionLocked();
                awaitConnectedLocked(request.deadlineNs, false);
            }
            else if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
            {
                dutyLocked();
                if (clock.nanoTime() - request.deadlineNs > 0)
                {
                    throw new FerriteTimeoutException("the node's request stream stayed back-pressured for " +
                        TimeUnit.NANOSECONDS.toMillis(ctx.requestTimeoutNs()) + " ms");
                }
                Thread.onSpinWait();
            }
            else
            {
                throw new FerriteException("cannot send to the node: publication " +
                    Publication.errorString(result));
            }
        }
    }

    private long offerLocked(final PendingRequest request)
    {
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
            case PendingRequest.MULTI_GET:
                return publisher.multiGet(request.correlationId, request.keys);
            case PendingRequest.PING:
            case PendingRequest.HEARTBEAT:
                return publisher.ping(request.correlationId, clock.nanoTime());
            case PendingRequest.STATS:
                return publisher.stats(request.correlationId);
            default:
                throw new IllegalStateException("unknown request kind " + request.kind);
        }
    }

    /**
     * Drive the session until it is open; {@code mayUnlock} lets other threads in while idling.
     */
    private void awaitConnectedLocked(final long deadlineNs, final boolean mayUnlock)
    {
        int idleCount = 0;
        while (CONNECTED != state)
        {
            if (CLOSED == state)
            {
                throw new FerriteException("the client is closed");
            }
            dutyLocked();
            if (CONNECTED == state)
            {
                return;
            }
            if (clock.nanoTime() - deadlineNs > 0)
            {
                throw new FerriteTimeoutException("not connected: no Ferrite node answered at " + ctx.nodeChannel() +
                    " stream " + ctx.nodeStreamId() + (publication.isConnected() ? "" : " (no subscriber there)"));
            }
            if (mayUnlock)
            {
                lock.unlock();
                try
                {
                    idle(idleCount++);
                }
                finally
                {
                    lock.lock();
                }
            }
            else
            {
                idle(idleCount++);
            }
        }
    }

    private int sendConnectLocked(final long nowNs)
    {
        if (!publication.isConnected())
        {
            return 0;
        }
        final long correlationId = nextCorrelationId++;
        if (publisher.connect(correlationId, ctx.responseStreamId(), responseChannel) > 0)
        {
            if (DISCONNECTED == state)
            {
                firstConnectCorrelationId = correlationId;
            }
            connectCorrelationId = correlationId;
            lastConnectAttemptNs = nowNs;
            state = CONNECTING;
            return 1;
        }
        return 0;
    }

    private void sendHeartbeatLocked(final long nowNs)
    {
        final PendingRequest request = acquire(PendingRequest.HEARTBEAT, nowNs + 2 * ctx.heartbeatIntervalNs());
        request.correlationId = nextCorrelationId++;
        if (offerLocked(request) > 0)
        {
            heartbeatOutstanding = true;
            pending.put(request.correlationId, request);
        }
        else
        {
            release(request);
        }
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
            if ((null != request.future || PendingRequest.HEARTBEAT == request.kind) &&
                nowNs - request.deadlineNs > 0)
            {
                iterator.remove();
                expired.add(request);
            }
        }
        final int count = expired.size();
        for (int i = 0; i < count; i++)
        {
            final PendingRequest request = expired.get(i);
            if (PendingRequest.HEARTBEAT == request.kind)
            {
                suspectSessionLocked();
            }
            fail(request, new FerriteTimeoutException("no answer to request " + request.correlationId + " within " +
                TimeUnit.NANOSECONDS.toMillis(ctx.requestTimeoutNs()) + " ms"));
        }
        expired.clear();
        if (!completed.isEmpty())
        {
            drainCompletedLocked();
        }
        return count;
    }

    private void suspectSessionLocked()
    {
        if (CONNECTED == state || CONNECTING == state)
        {
            state = DISCONNECTED;
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
            final PendingRequest request = expired.get(i);
            request.errorMessage = reason;
            fail(request, new FerriteException(reason));
        }
        expired.clear();
        if (!completed.isEmpty())
        {
            drainCompletedLocked();
        }
    }

    /**
     * Spin, then yield, then park from 1 us doubling up to 100 us (with the caller's timer slack lowered once).
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
