package io.ferrite.replication;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ferrite.codec.PartitionHash;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Client of a partitioned cluster: every request goes to the leader of the group that owns its key's partition,
 * through that group's Raft log. The client reads the partition map from group 0 when it connects; when a group
 * answers that a partition has moved it records the new owner (and re-reads the map after repeated redirects) and
 * sends the request there; when the partition is frozen for a cut-over it retries after a short, growing pause.
 * A redirected request was not applied, so sending it again is safe; a write resent after a leader change is
 * deduplicated by the group. Requests that cannot complete within the request timeout fail with
 * {@link ReplicationException}.
 * <p>
 * <b>Note:</b> thread-safe. One {@link ReplicatedClient} per group shares the client's media driver; retries run
 * on one scheduler thread, so no callback ever waits on another group's connection.
 */
public final class PartitionedClient implements AutoCloseable
{
    private static final int REFRESH_AFTER_REDIRECTS = 3;
    private static final long MAX_RETRY_PAUSE_MS = 20;

    private final PartitionedClientContext ctx;
    private final MediaDriver driver;
    private final ReplicatedClient[] groups;
    private final ClusterAdmin mapReader;
    private final ScheduledExecutorService retries;
    private final long timeoutNs;
    private volatile PartitionMap map;
    private final AtomicLong redirectsFollowed = new AtomicLong();

    private PartitionedClient(final PartitionedClientContext ctx)
    {
        this.ctx = ctx;
        timeoutNs = ctx.requestTimeout().toNanos();
        final String[] endpoints = ctx.ingressEndpoints();
        final String dir;
        if (null == ctx.aeronDirectoryName())
        {
            final File shm = new File("/dev/shm");
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(new File(shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir")),
                    "ferrite-pclient-" + (ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE)).getPath())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1000, TimeUnit.MICROSECONDS.toNanos(100)))
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            dir = driver.aeronDirectoryName();
        }
        else
        {
            driver = null;
            dir = ctx.aeronDirectoryName();
        }
        groups = new ReplicatedClient[endpoints.length];
        ScheduledExecutorService scheduler = null;
        ClusterAdmin admin = null;
        try
        {
            for (int g = 0; g < endpoints.length; g++)
            {
                try
                {
                    groups[g] = ReplicatedClient.connect(new ReplicatedClientContext()
                        .ingressEndpoints(endpoints[g])
                        .aeronDirectoryName(dir)
                        .requestTimeoutNs(timeoutNs));
                }
                catch (final ReplicationException ex)
                {
                    throw new ReplicationException("group " + g + " is down: no leader answered at " + endpoints[g],
                        ex);
                }
            }
            admin = new ClusterAdmin(endpoints, dir, timeoutNs);
            map = admin.partitionMap();
            scheduler = Executors.newSingleThreadScheduledExecutor(runnable ->
            {
                final Thread thread = new Thread(runnable, "ferrite-partitioned-client-retries");
                thread.setDaemon(true);
                return thread;
            });
        }
        catch (final RuntimeException ex)
        {
            for (final ReplicatedClient client : groups)
            {
                CloseHelper.quietClose(client);
            }
            CloseHelper.quietClose(admin);
            CloseHelper.quietClose(driver);
            throw ex;
        }
        mapReader = admin;
        retries = scheduler;
    }

    /**
     * Connect to every group and read the partition map.
     *
     * @throws ReplicationException if a group has no reachable leader.
     */
    public static PartitionedClient connect(final PartitionedClientContext ctx)
    {
        return new PartitionedClient(ctx.conclude());
    }

    /**
     * The partition map as this client knows it (possibly older than the cluster's).
     */
    public PartitionMap partitionMap()
    {
        return map;
    }

    /**
     * How many redirects this client has followed (a measure of how stale its map was).
     */
    public long redirectsFollowed()
    {
        return redirectsFollowed.get();
    }

    public byte[] get(final byte[] key)
    {
        return join(getAsync(key));
    }

    public CompletableFuture<byte[]> getAsync(final byte[] key)
    {
        return route(key, client -> client.getAsync(key));
    }

    public void put(final byte[] key, final byte[] value)
    {
        join(putAsync(key, value, Duration.ZERO, WriteCondition.ALWAYS));
    }

    public void put(final byte[] key, final byte[] value, final Duration ttl)
    {
        join(putAsync(key, value, ttl, WriteCondition.ALWAYS));
    }

    public boolean putIfAbsent(final byte[] key, final byte[] value, final Duration ttl)
    {
        return join(putAsync(key, value, ttl, WriteCondition.IF_ABSENT));
    }

    public boolean replace(final byte[] key, final byte[] value, final Duration ttl)
    {
        return join(putAsync(key, value, ttl, WriteCondition.IF_PRESENT));
    }

    /**
     * Store {@code value} under {@code key} if {@code condition} holds; completes with true if stored.
     *
     * @param ttl time to live on the cluster's clock; zero for none.
     */
    public CompletableFuture<Boolean> putAsync(
        final byte[] key, final byte[] value, final Duration ttl, final WriteCondition condition)
    {
        final long ttlMs = ttl.toMillis();
        return route(key, client -> client.putAsync(key, value, ttlMs, condition.mode()));
    }

    public boolean compareAndSet(final byte[] key, final byte[] expected, final byte[] value)
    {
        return join(compareAndSetAsync(key, expected, value));
    }

    public CompletableFuture<Boolean> compareAndSetAsync(final byte[] key, final byte[] expected, final byte[] value)
    {
        return route(key, client -> client.compareAndSetAsync(key, expected, value));
    }

    public boolean delete(final byte[] key)
    {
        return join(deleteAsync(key));
    }

    public CompletableFuture<Boolean> deleteAsync(final byte[] key)
    {
        return route(key, client -> client.deleteAsync(key));
    }

    /**
     * Values of {@code keys} in order (null for a miss); the keys' groups are asked at once.
     */
    public List<byte[]> multiGet(final List<byte[]> keys)
    {
        final List<CompletableFuture<byte[]>> futures = new ArrayList<>(keys.size());
        for (final byte[] key : keys)
        {
            futures.add(getAsync(key));
        }
        final List<byte[]> values = new ArrayList<>(keys.size());
        for (final CompletableFuture<byte[]> future : futures)
        {
            values.add(join(future));
        }
        return values;
    }

    /**
     * Re-read the partition map from group 0.
     */
    public PartitionMap refreshMap()
    {
        synchronized (mapReader)
        {
            final PartitionMap fresh = mapReader.partitionMap();
            if (fresh.epoch() >= map.epoch())
            {
                map = fresh;
            }
            return map;
        }
    }

    private <T> CompletableFuture<T> route(
        final byte[] key, final Function<ReplicatedClient, CompletableFuture<Object>> op)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        attempt(key, PartitionHash.partition(key, map.partitionCount()), op, result, System.nanoTime() + timeoutNs, 0);
        return result;
    }

    @SuppressWarnings("unchecked")
    private <T> void attempt(
        final byte[] key,
        final int partition,
        final Function<ReplicatedClient, CompletableFuture<Object>> op,
        final CompletableFuture<T> result,
        final long deadlineNs,
        final int redirects)
    {
        final CompletableFuture<Object> sent;
        try
        {
            sent = op.apply(groups[map.owner(partition)]);
        }
        catch (final RuntimeException ex)
        {
            result.completeExceptionally(ex);
            return;
        }
        sent.whenComplete((value, failure) ->
        {
            if (null == failure)
            {
                result.complete((T)value);
                return;
            }
            final Throwable cause = failure instanceof CompletionException && null != failure.getCause() ?
                failure.getCause() : failure;
            if (!(cause instanceof PartitionRedirectException))
            {
                result.completeExceptionally(cause);
                return;
            }
            if (System.nanoTime() > deadlineNs)
            {
                result.completeExceptionally(new ReplicationException("partition " + partition + " did not settle " +
                    "within the request timeout: " + cause.getMessage(), cause));
                return;
            }
            final PartitionRedirectException redirect = (PartitionRedirectException)cause;
            redirectsFollowed.incrementAndGet();
            final long pauseMs;
            if (redirect.isMigrating())
            {
                pauseMs = Math.min(MAX_RETRY_PAUSE_MS, 1L << Math.min(redirects, 5));
            }
            else
            {
                learn(redirect);
                pauseMs = redirects >= REFRESH_AFTER_REDIRECTS ? 1 : 0;
            }
            retries.schedule(() ->
            {
                if (!redirect.isMigrating() && redirects >= REFRESH_AFTER_REDIRECTS)
                {
                    try
                    {
                        refreshMap();
                    }
                    catch (final RuntimeException ex)
                    {
                        result.completeExceptionally(ex);
                        return;
                    }
                }
                attempt(key, partition, op, result, deadlineNs, redirects + 1);
            }, pauseMs, TimeUnit.MILLISECONDS);
        });
    }

    private synchronized void learn(final PartitionRedirectException redirect)
    {
        final PartitionMap current = map;
        if (current.owner(redirect.partition()) != redirect.ownerGroup())
        {
            map = current.with(redirect.partition(), redirect.ownerGroup(), redirect.mapEpoch());
        }
    }

    private static <T> T join(final CompletableFuture<T> future)
    {
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
            throw new ReplicationException(String.valueOf(ex.getCause()), ex.getCause());
        }
    }

    public void close()
    {
        if (null != retries)
        {
            retries.shutdownNow();
        }
        for (final ReplicatedClient client : groups)
        {
            CloseHelper.quietClose(client);
        }
        CloseHelper.quietClose(mapReader);
        CloseHelper.quietClose(driver);
    }
}
