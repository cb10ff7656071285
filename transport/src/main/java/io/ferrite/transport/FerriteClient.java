package io.ferrite.transport;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.ferrite.codec.sbe.PutMode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Java client of a Ferrite node, with three APIs over one session:
 * <ul>
 *     <li><b>blocking</b>, on {@code byte[]} and {@code String}: {@link #get(byte[])}, {@link #put(byte[], byte[])},
 *     {@link #delete(byte[])}, ...: each call sends a request and waits for its answer;</li>
 *     <li><b>async</b>: {@link #getAsync(byte[])}, {@link #putAsync(byte[], byte[], long, int)}, ...: return at once
 *     with a future, so many requests are in flight together (pipelined) and are matched to their answers by
 *     correlation id;</li>
 *     <li><b>zero-copy</b>: {@link #get(DirectBuffer, int, int, MutableDirectBuffer, int)},
 *     {@link #put(DirectBuffer, int, int, DirectBuffer, int, int, long, int)},
 *     {@link #delete(DirectBuffer, int, int)}: blocking, on caller buffers, allocating nothing per request (requests
 *     are encoded into the publication's term with {@code tryClaim}, answers are copied straight into the caller's
 *     buffer).</li>
 * </ul>
 * Every call has the request timeout ({@link ClientContext#requestTimeoutNs(long)}): past it a
 * {@link FerriteTimeoutException} is thrown (or completes the future). A request the node refuses fails with a
 * {@link FerriteRequestException} naming the reason. If the node restarts or the session is lost (missed heartbeats,
 * a timeout), the client reconnects by itself; requests in flight then fail and later ones succeed.
 * <p>
 * <b>Note:</b> thread-safe: any number of application threads may share one client. Requests are sent under a lock
 * (short: an encode and an offer); waiting threads take turns polling the responses for everyone, and a conductor
 * thread (see {@link ClientContext#useConductorThread(boolean)}) completes async requests when no caller is waiting.
 */
public final class FerriteClient implements AutoCloseable
{
    /**
     * Set to {@code false} to give an embedded client driver and the Aeron client their own threads.
     */
    public static final String INVOKERS_PROP_NAME = "ferrite.client.driver.invoked";

    /** Zero-copy {@link #get} result: no live entry for the key. */
    public static final int NOT_FOUND = -1;
    /** {@link #put} mode: store whether or not the key exists. */
    public static final int PUT = 0;
    /** {@link #put} mode: store only if the key has no live entry. */
    public static final int PUT_IF_ABSENT = 1;
    /** {@link #put} mode: store only if the key has a live entry. */
    public static final int REPLACE = 2;
    /** {@link #put} result: stored. */
    public static final int STORED = 0;
    /**
     * Cache-aside read with single flight: the cached value, or on a miss the loader's, loaded once however many
     * threads miss the key at once (no TTL, no negative caching; build a {@link CacheAside} over this client for
     * those).
     *
     * @throws FerriteException if the loader failed (cause) or the cache could not be reached.
     */
    public byte[] getOrLoad(final byte[] key, final CacheAside.Loader loader)
    {
        return cacheAside.getOrLoad(key, loader);
    }

    /** {@link #put} result: the mode's condition did not hold. */
    public static final int NOT_STORED = 1;

    private static final PutMode[] MODES = { PutMode.UPSERT, PutMode.PUT_IF_ABSENT, PutMode.REPLACE };

    private final ClientContext ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final ClientConductor conductor;
    private final AgentRunner runner;
    private final int maxMessageLength;
    private final CacheAside cacheAside = new CacheAside(new CacheAside.Cache()
    {
        public byte[] get(final byte[] key)
        {
            return FerriteClient.this.get(key);
        }

        public void put(final byte[] key, final byte[] value, final long ttlMs)
        {
            FerriteClient.this.put(key, value, ttlMs);
        }
    }, 0, 0, 60_000);
    private volatile boolean closed;

    private FerriteClient(
        final ClientContext ctx,
        final MediaDriver driver,
        final Aeron aeron,
        final ClientConductor conductor,
        final AgentRunner runner)
    {
        this.ctx = ctx;
        this.driver = driver;
        this.aeron = aeron;
        this.conductor = conductor;
        this.runner = runner;
        this.maxMessageLength = ctx.maxMessageLength();
    }

    /**
     * Connect to a node: start (or attach to) a media driver, open the session, and return once the node answered.
     *
     * @throws FerriteTimeoutException if no node answered within the connect timeout; nothing is left running.
     */
    public static FerriteClient connect(final ClientContext ctx)
    {
        ctx.conclude();
        MediaDriver driver = null;
        Aeron aeron = null;
        AgentRunner runner = null;
        try
        {
            String dir = ctx.aeronDir();
            // With an embedded driver and a conductor thread, the driver and the Aeron client run on whichever
            // thread drives the client (under its lock): fewer threads to wake per round trip.
            final boolean invokers = null == dir && ctx.useConductorThread() &&
                !"false".equals(System.getProperty(INVOKERS_PROP_NAME));
            if (null == dir)
            {
                driver = EmbeddedDriver.launch(ctx.embeddedDriverDir(), invokers);
                dir = driver.aeronDirectoryName();
            }
            final ClientConductor[] holder = new ClientConductor[1];
            final Aeron.Context aeronCtx = new Aeron.Context()
                .aeronDirectoryName(dir)
                .clientName("ferrite-client")
                .errorHandler(ctx.errorHandler());
            if (invokers)
            {
                aeronCtx.useConductorAgentInvoker(true).driverAgentInvoker(driver.sharedAgentInvoker());
            }
            aeron = Aeron.connect(aeronCtx);
            final AgentInvoker driverInvoker = invokers ? driver.sharedAgentInvoker() : null;
            final AgentInvoker aeronInvoker = invokers ? aeron.conductorAgentInvoker() : null;
            final long deadlineNs = System.nanoTime() + ctx.connectTimeoutNs();
            final Subscription subscription = aeron.addSubscription(ctx.responseChannel(), ctx.responseStreamId(),
                null, (image) ->
                {
                    final ClientConductor conductor = holder[0];
                    if (null != conductor)
                    {
                        conductor.onResponseImageLost();
                    }
                });
            final String responseChannel = resolve(
                subscription, ctx.responseChannel(), deadlineNs, driverInvoker, aeronInvoker);
            final ChannelUri requestUri = ChannelUri.parse(ctx.nodeChannel());
            requestUri.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(ctx.termLength()));
            requestUri.put(CommonContext.SPARSE_PARAM_NAME, "true");
            final ExclusivePublication publication = aeron.addExclusivePublication(
                requestUri.toString(), ctx.nodeStreamId());
            final ClientConductor conductor = new ClientConductor(ctx, publication, subscription, responseChannel);
            conductor.invokers(driverInvoker, aeronInvoker);
            holder[0] = conductor;
            conductor.awaitConnected(deadlineNs);
            if (ctx.useConductorThread())
            {
                runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, conductor);
                AgentRunner.startOnThread(runner);
            }
            return new FerriteClient(ctx, driver, aeron, conductor, runner);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(runner, aeron, driver);
            throw ex;
        }
    }

    private static String resolve(
        final Subscription subscription,
        final String channel,
        final long deadlineNs,
        final AgentInvoker driverInvoker,
        final AgentInvoker aeronInvoker)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
        if (null == endpoint || !endpoint.endsWith(":0"))
        {
            return channel;
        }
        String resolved;
        while (null == (resolved = subscription.tryResolveChannelEndpointPort()))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new FerriteTimeoutException("could not resolve the response channel " + channel);
            }
            if (null != driverInvoker)
            {
                driverInvoker.invoke();
                aeronInvoker.invoke();
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        return resolved;
    }

    /**
     * Whether the session with the node is open right now.
     */
    public boolean isConnected()
    {
        return conductor.isConnected();
    }

    /**
     * The id of the node run this client is connected to (changes when the node restarts).
     */
    public long nodeInstanceId()
    {
        return conductor.nodeInstanceId();
    }

    public long clientId()
    {
        return ctx.clientId();
    }

    public ClientContext context()
    {
        return ctx;
    }

    /**
     * Poll responses, heartbeat and reconnect once; only needed without the conductor thread.
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
            request.dst = dst;
            request.dstOffset = dstOffset;
            conductor.sendKeyRequest(request, key, keyOffset, keyLength);
            conductor.await(request);
            checkDone(request);
            return (int)request.result;
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * Store a value; allocates nothing.
     *
     * @param ttlMs time to live in milliseconds; 0 or less for no expiry.
     * @param mode  {@link #PUT}, {@link #PUT_IF_ABSENT} or {@link #REPLACE}.
     * @return {@link #STORED} or {@link #NOT_STORED}.
     */
    public int put(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long ttlMs,
        final int mode)
    {
        checkPut(keyLength, valueLength, mode);
        final PendingRequest request = conductor.acquire(PendingRequest.PUT, deadline());
        try
        {
            conductor.sendPut(
                request, key, keyOffset, keyLength, value, valueOffset, valueLength, ttlMs, MODES[mode]);
            conductor.await(request);
            checkDone(request);
            return (int)request.result;
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
        return 1 == removeBlocking(PendingRequest.DELETE, key, keyOffset, keyLength);
    }

    /**
     * Invalidate a key's entry (its source of truth changed); allocates nothing.
     *
     * @return true if a live entry was removed.
     */
    public boolean invalidate(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        return 1 == removeBlocking(PendingRequest.INVALIDATE, key, keyOffset, keyLength);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Blocking API
    // ----------------------------------------------------------------------------------------------------------------

    /**
     * The value of a key, or null.
     */
    public byte[] get(final byte[] key)
    {
        checkKey(key.length);
        final PendingRequest request = conductor.acquire(PendingRequest.GET_BYTES, deadline());
        try
        {
            conductor.sendKeyRequest(request, new UnsafeBuffer(key), 0, key.length);
            conductor.await(request);
            checkDone(request);
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
        put(key, value, 0);
    }

    /**
     * Store a value that expires after {@code ttlMs} milliseconds (0 for never).
     */
    public void put(final byte[] key, final byte[] value, final long ttlMs)
    {
        putBlocking(key, value, ttlMs, PUT);
    }

    public void put(final String key, final String value)
    {
        put(utf8(key), utf8(value), 0);
    }

    public void put(final String key, final String value, final long ttlMs)
    {
        put(utf8(key), utf8(value), ttlMs);
    }

    /**
     * Store only if the key has no live entry.
     *
     * @return true if stored.
     */
    public boolean putIfAbsent(final byte[] key, final byte[] value, final long ttlMs)
    {
        return STORED == putBlocking(key, value, ttlMs, PUT_IF_ABSENT);
    }

    /**
     * Store only if the key has a live entry.
     *
     * @return true if stored.
     */
    public boolean replace(final byte[] key, final byte[] value, final long ttlMs)
    {
        return STORED == putBlocking(key, value, ttlMs, REPLACE);
    }

    /**
     * Delete a key's entry; true if there was one.
     */
    public boolean delete(final byte[] key)
    {
        return 1 == removeBlocking(PendingRequest.DELETE, new UnsafeBuffer(key), 0, key.length);
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
        return 1 == removeBlocking(PendingRequest.INVALIDATE, new UnsafeBuffer(key), 0, key.length);
    }

    /**
     * The values of several keys in one round trip, in order, null for a miss.
     */
    @SuppressWarnings("unchecked")
    public List<byte[]> multiGet(final List<byte[]> keys)
    {
        checkKeys(keys);
        final PendingRequest request = conductor.acquire(PendingRequest.MULTI_GET, deadline());
        try
        {
            conductor.sendMultiGet(request, keys);
            conductor.await(request);
            checkDone(request);
            return (List<byte[]>)request.value;
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * Round trip time of a ping, in nanoseconds.
     */
    public long ping()
    {
        final PendingRequest request = conductor.acquire(PendingRequest.PING, deadline());
        try
        {
            conductor.send(request);
            conductor.await(request);
            checkDone(request);
            return request.result;
        }
        finally
        {
            conductor.release(request);
        }
    }

    /**
     * The node's counters.
     */
    public NodeStats stats()
    {
        final PendingRequest request = conductor.acquire(PendingRequest.STATS, deadline());
        try
        {
            conductor.send(request);
            conductor.await(request);
            checkDone(request);
            return (NodeStats)request.value;
        }
        finally
        {
            conductor.release(request);
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
        final PendingRequest request = asyncRequest(PendingRequest.GET_BYTES, future);
        try
        {
            conductor.sendKeyRequest(request, new UnsafeBuffer(key), 0, key.length);
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
        return future;
    }

    /**
     * Put without waiting; the future completes with true if stored.
     *
     * @param mode {@link #PUT}, {@link #PUT_IF_ABSENT} or {@link #REPLACE}.
     */
    public CompletableFuture<Boolean> putAsync(final byte[] key, final byte[] value, final long ttlMs, final int mode)
    {
        checkPut(key.length, value.length, mode);
        final CompletableFuture<Boolean> future = new CompletableFuture<>();
        final PendingRequest request = asyncRequest(PendingRequest.PUT, future);
        try
        {
            conductor.sendPut(request, new UnsafeBuffer(key), 0, key.length, new UnsafeBuffer(value), 0,
                value.length, ttlMs, MODES[mode]);
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
        return future;
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
     * Multi-get without waiting; the future completes with the values in order, null for a miss.
     */
    public CompletableFuture<List<byte[]>> multiGetAsync(final List<byte[]> keys)
    {
        checkKeys(keys);
        final CompletableFuture<List<byte[]>> future = new CompletableFuture<>();
        final PendingRequest request = asyncRequest(PendingRequest.MULTI_GET, future);
        try
        {
            conductor.sendMultiGet(request, keys);
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
        final PendingRequest request = asyncRequest(PendingRequest.STATS, future);
        try
        {
            conductor.send(request);
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
        return future;
    }

    /**
     * Close the session (telling the node), fail requests in flight, stop the conductor thread, and close the Aeron
     * client and an embedded driver (deleting its directory).
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        conductor.close();
        CloseHelper.closeAll(runner, aeron, driver);
    }

    static RuntimeException failureOf(final PendingRequest request)
    {
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

    private CompletableFuture<Boolean> removeAsync(final int kind, final byte[] key)
    {
        checkKey(key.length);
        final CompletableFuture<Boolean> future = new CompletableFuture<>();
        final PendingRequest request = asyncRequest(kind, future);
        try
        {
            conductor.sendKeyRequest(request, new UnsafeBuffer(key), 0, key.length);
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
        return future;
    }

    private PendingRequest asyncRequest(final int kind, final CompletableFuture<?> future)
    {
        final PendingRequest request = new PendingRequest().reset(kind, 0, deadline());
        request.future = future;
        return request;
    }

    private int putBlocking(final byte[] key, final byte[] value, final long ttlMs, final int mode)
    {
        return put(new UnsafeBuffer(key), 0, key.length, new UnsafeBuffer(value), 0, value.length, ttlMs, mode);
    }

    private long removeBlocking(final int kind, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        checkKey(keyLength);
        final PendingRequest request = conductor.acquire(kind, deadline());
        try
        {
            conductor.sendKeyRequest(request, key, keyOffset, keyLength);
            conductor.await(request);
            checkDone(request);
            return request.result;
        }
        finally
        {
            conductor.release(request);
        }
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
            throw failureOf(request);
        }
    }

    private void checkKey(final int keyLength)
    {
        if (keyLength <= 0)
        {
            throw new IllegalArgumentException("a key must not be empty");
        }
        if (keyLength > maxMessageLength - NodeContext.MESSAGE_OVERHEAD)
        {
            throw new IllegalArgumentException("key of " + keyLength + " bytes does not fit one message");
        }
    }

    private void checkPut(final int keyLength, final int valueLength, final int mode)
    {
        checkKey(keyLength);
        if ((long)keyLength + valueLength > maxMessageLength - NodeContext.MESSAGE_OVERHEAD)
        {
            throw new IllegalArgumentException("key and value of " + keyLength + " + " + valueLength +
                " bytes do not fit one message of " + maxMessageLength + " bytes (raise the term length)");
        }
        if (mode < PUT || mode > REPLACE)
        {
            throw new IllegalArgumentException("unknown put mode " + mode);
        }
    }

    private void checkKeys(final List<byte[]> keys)
    {
        long total = 0;
        for (int i = 0, n = keys.size(); i < n; i++)
        {
            checkKey(keys.get(i).length);
            total += keys.get(i).length + 4;
        }
        if (total > maxMessageLength - NodeContext.MESSAGE_OVERHEAD || keys.size() > 65534)
        {
            throw new IllegalArgumentException("too many keys for one multi-get: " + keys.size());
        }
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
