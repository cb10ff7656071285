package io.ferrite.client;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cache-aside reads with single flight: {@link #getOrLoad} reads the cache, and on a miss runs the caller's loader
 * once per key however many threads miss it at the same time, puts the loaded value into the cache with the
 * configured TTL, and hands the same result to every waiting thread. {@link #getOrLoadAsync} does the same without
 * blocking a thread: the cache's async calls and a loader that returns a future, one flight per key shared with the
 * blocking callers.
 * <p>
 * It works over any client through {@link Cache} (two methods), so the node client, the replicated client and
 * whatever unifies them share one implementation. Optional negative caching remembers, in this process only, that
 * the loader found nothing for a key, for {@code negativeTtlMs}. A loader failure reaches every thread of its flight
 * and is not cached. Cache-aside's usual limit applies: a write to the database between the loader's read and the
 * put is not seen until the entry expires or is invalidated; for that guarantee use the replicated group's
 * read-through, which refuses a late load.
 * <b>Note:</b> thread-safe.
 */
public final class CacheAside
{
    /**
     * The two calls cache-aside needs from a cache client.
     */
    public interface Cache
    {
        /**
         * @return the cached value or {@code null} on a miss.
         */
        byte[] get(byte[] key);

        /**
         * Store a value; {@code ttlMs} 0 means no expiry.
         */
        void put(byte[] key, byte[] value, long ttlMs);

        /**
         * {@link #get} without blocking; by default it calls {@link #get} on the caller's thread.
         */
        default CompletableFuture<byte[]> getAsync(final byte[] key)
        {
            return CompletableFuture.completedFuture(get(key));
        }

        /**
         * {@link #put} without blocking; by default it calls {@link #put} on the caller's thread.
         */
        default CompletableFuture<?> putAsync(final byte[] key, final byte[] value, final long ttlMs)
        {
            put(key, value, ttlMs);
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * Reads a key from the system of record.
     */
    @FunctionalInterface
    public interface Loader
    {
        /**
         * @return the value, or {@code null} if the key has none.
         * @throws Exception if it could not be read (the callers of this flight get it, wrapped).
         */
        byte[] load(byte[] key) throws Exception;
    }

    /**
     * Reads a key from the system of record without blocking the caller.
     */
    @FunctionalInterface
    public interface AsyncLoader
    {
        /**
         * @return a future of the value, or of {@code null} if the key has none; completed exceptionally if the
         * value could not be read (the callers of this flight get it, wrapped).
         */
        CompletableFuture<byte[]> load(byte[] key);
    }

    private static final Object ABSENT = new Object();

    private final Cache cache;
    private final long ttlMs;
    private final long negativeTtlNs;
    private final long waitTimeoutNs;
    private final ConcurrentHashMap<Key, CompletableFuture<Object>> flights = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Long> negatives = new ConcurrentHashMap<>();
    private final AtomicLong loads = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong joined = new AtomicLong();

    /**
     * @param ttlMs         TTL of loaded entries in the cache; 0 for none.
     * @param negativeTtlMs how long a "loader found nothing" is remembered; 0 disables negative caching.
     * @param waitTimeoutMs how long a thread waits for another thread's load before giving up.
     */
    public CacheAside(final Cache cache, final long ttlMs, final long negativeTtlMs, final long waitTimeoutMs)
    {
        if (ttlMs < 0 || negativeTtlMs < 0 || waitTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("ttlMs and negativeTtlMs must be >= 0 and waitTimeoutMs > 0");
        }
        this.cache = cache;
        this.ttlMs = ttlMs;
        this.negativeTtlNs = TimeUnit.MILLISECONDS.toNanos(negativeTtlMs);
        this.waitTimeoutNs = TimeUnit.MILLISECONDS.toNanos(waitTimeoutMs);
    }

    /**
     * The cached value of {@code key}, or on a miss the loader's (stored into the cache), loaded once per key at a
     * time.
     *
     * @return the value, or {@code null} if neither the cache nor the loader has one.
     * @throws FerriteException if the loader failed (its exception is the cause) or the wait timed out.
     */
    public byte[] getOrLoad(final byte[] key, final Loader loader)
    {
        final byte[] cached = cache.get(key);
        if (null != cached)
        {
            hits.incrementAndGet();
            return cached;
        }
        final Key k = new Key(key.clone());
        if (isNegative(k))
        {
            hits.incrementAndGet();
            return null;
        }
        final CompletableFuture<Object> mine = new CompletableFuture<>();
        final CompletableFuture<Object> theirs = flights.putIfAbsent(k, mine);
        if (null != theirs)
        {
            joined.incrementAndGet();
            return unwrap(await(theirs, key));
        }
        try
        {
            mine.complete(loadAndStore(k, loader));
        }
        catch (final Throwable ex)
        {
            mine.completeExceptionally(ex);
        }
        finally
        {
            flights.remove(k, mine);
        }
        return unwrap(await(mine, key));
    }

    /**
     * {@link #getOrLoad} without blocking: the future completes with the cached or loaded value (or {@code null}),
     * or exceptionally with a {@link FerriteException} if the loader failed (its exception is the cause), the cache
     * could not be reached, or the load took longer than the wait timeout. The loader runs at most once per key at
     * a time, also with blocking callers of the same key.
     */
    public CompletableFuture<byte[]> getOrLoadAsync(final byte[] key, final AsyncLoader loader)
    {
        final Key k = new Key(key.clone());
        return cache.getAsync(k.bytes).thenCompose((cached) ->
        {
            if (null != cached)
            {
                hits.incrementAndGet();
                return CompletableFuture.completedFuture(cached);
            }
            if (isNegative(k))
            {
                hits.incrementAndGet();
                return CompletableFuture.<byte[]>completedFuture(null);
            }
            final CompletableFuture<Object> mine = new CompletableFuture<>();
            final CompletableFuture<Object> theirs = flights.putIfAbsent(k, mine);
            if (null != theirs)
            {
                joined.incrementAndGet();
                return outcome(theirs, key.length);
            }
            // Another flight may have finished between our miss and our registration: read again before loading.
            cache.getAsync(k.bytes).thenCompose((again) ->
            {
                if (null != again)
                {
                    return CompletableFuture.<Object>completedFuture(again);
                }
                if (isNegative(k))
                {
                    return CompletableFuture.completedFuture(ABSENT);
                }
                loads.incrementAndGet();
                return loadAsync(loader, k.bytes).thenCompose((value) -> store(k, value));
            }).whenComplete((result, error) ->
            {
                flights.remove(k, mine);
                if (null != error)
                {
                    mine.completeExceptionally(error);
                }
                else
                {
                    mine.complete(result);
                }
            });
            // a load that never finishes must not hold the key forever: past the wait timeout the next caller loads
            mine.copy().orTimeout(waitTimeoutNs, TimeUnit.NANOSECONDS).exceptionally((error) ->
            {
                flights.remove(k, mine);
                return null;
            });
            return outcome(mine, key.length);
        });
    }

    private static CompletableFuture<byte[]> loadAsync(final AsyncLoader loader, final byte[] key)
    {
        try
        {
            final CompletableFuture<byte[]> loading = loader.load(key);
            return null == loading ? CompletableFuture.failedFuture(
                new NullPointerException("the loader returned no future")) : loading;
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private CompletableFuture<Object> store(final Key k, final byte[] value)
    {
        if (null == value)
        {
            if (negativeTtlNs > 0)
            {
                negatives.put(k, System.nanoTime() + negativeTtlNs);
            }
            return CompletableFuture.completedFuture(ABSENT);
        }
        return cache.putAsync(k.bytes, value, ttlMs).thenApply((ignored) -> value);
    }

    /**
     * What a caller of a flight gets: its value, or a {@link FerriteException} naming why not, within the wait
     * timeout.
     */
    private CompletableFuture<byte[]> outcome(final CompletableFuture<Object> flight, final int keyLength)
    {
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        // a copy: one caller's timeout must not fail the flight the others share
        flight.copy().orTimeout(waitTimeoutNs, TimeUnit.NANOSECONDS).whenComplete((value, error) ->
        {
            if (null == error)
            {
                result.complete(unwrap(value));
                return;
            }
            final Throwable cause = error instanceof CompletionException &&
                null != error.getCause() ? error.getCause() : error;
            result.completeExceptionally(cause instanceof TimeoutException ?
                new FerriteException("load did not finish within " + TimeUnit.NANOSECONDS.toMillis(waitTimeoutNs) +
                    " ms", cause) :
                new FerriteException("loader failed for key of " + keyLength + " bytes: " + cause, cause));
        });
        return result;
    }

    private Object loadAndStore(final Key k, final Loader loader) throws Exception
    {
        // Another flight may have finished between our miss and our registration: read again before loading.
        final byte[] again = cache.get(k.bytes);
        if (null != again)
        {
            return again;
        }
        if (isNegative(k))
        {
            return ABSENT;
        }
        loads.incrementAndGet();
        final byte[] value = loader.load(k.bytes);
        if (null == value)
        {
            if (negativeTtlNs > 0)
            {
                negatives.put(k, System.nanoTime() + negativeTtlNs);
            }
            return ABSENT;
        }
        cache.put(k.bytes, value, ttlMs);
        return value;
    }

    private boolean isNegative(final Key k)
    {
        final Long until = negatives.get(k);
        if (null == until)
        {
            return false;
        }
        if (System.nanoTime() - until < 0)
        {
            return true;
        }
        negatives.remove(k, until);
        return false;
    }

    private Object await(final CompletableFuture<Object> flight, final byte[] key)
    {
        try
        {
            return flight.get(waitTimeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new FerriteException("loader failed for key of " + key.length + " bytes: " + ex.getCause(),
                ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new FerriteException("load did not finish within " +
                TimeUnit.NANOSECONDS.toMillis(waitTimeoutNs) + " ms", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new FerriteException("interrupted waiting for a load", ex);
        }
    }

    private static byte[] unwrap(final Object result)
    {
        return ABSENT == result ? null : (byte[])result;
    }

    /**
     * Forget a negative entry (after the application wrote the key to its database).
     */
    public void forgetNegative(final byte[] key)
    {
        negatives.remove(new Key(key));
    }

    /**
     * @return how many times a loader ran.
     */
    public long loads()
    {
        return loads.get();
    }

    /**
     * @return reads answered without a load (cache hits and negative hits).
     */
    public long hits()
    {
        return hits.get();
    }

    /**
     * @return callers that waited for another caller's load instead of loading.
     */
    public long joined()
    {
        return joined.get();
    }

    private record Key(byte[] bytes)
    {
        public boolean equals(final Object o)
        {
            return o instanceof Key && Arrays.equals(bytes, ((Key)o).bytes);
        }

        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }
    }
}
