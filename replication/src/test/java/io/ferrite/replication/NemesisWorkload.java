package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteRequestException;
import io.ferrite.client.WriteCondition;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.replication.linearizability.Operation;
import org.agrona.CloseHelper;

import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pipelined clients for fault tests: each keeps up to {@code inFlight} requests outstanding (async API; deletes,
 * which have only a blocking call, run on a small pool), over every operation the group offers: get, put (some
 * with a TTL), put-if-absent, replace, compare-and-set, delete. Every operation is recorded with its invoke and
 * return times; one whose outcome the client never learned is recorded as unknown. Keys rotate every
 * {@link #OPS_PER_EPOCH} operations (by count, not time, so a fast machine does not grow a key's history past what
 * the checker can decide) so each key's history stays small enough to check, and {@link #finish} reads every key ever
 * used once the faults are over, so a lost acknowledged write shows in the history as a final read.
 * <p>
 * Values are unique ({@code c<client>-<sequence>}), so a read names the one write it observed.
 */
final class NemesisWorkload implements AutoCloseable
{
    static final int OPS_PER_EPOCH = 3000;
    static final int KEYS_PER_EPOCH = 6;
    /** Margin for the cluster clock's millisecond resolution around a TTL expiry. */
    static final long TTL_SLACK_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Map<String, List<Operation>> histories = new LinkedHashMap<>();
    private final Map<String, Operation> finalReads = new LinkedHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicLong acknowledgedWrites = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicLong forgotten = new AtomicLong();
    private final List<FerriteClient> clients = new ArrayList<>();
    private final List<Thread> drivers = new ArrayList<>();
    private final List<ExecutorService> pools = new ArrayList<>();
    private final List<Semaphore> permits = new ArrayList<>();
    private final int inFlight;
    private final long seed;
    private volatile boolean running = true;

    NemesisWorkload(final ClientContext[] contexts, final int inFlight, final long seed)
    {
        this.inFlight = inFlight;
        this.seed = seed;
        for (final ClientContext ctx : contexts)
        {
            clients.add(FerriteClient.connect(ctx));
        }
    }

    void start()
    {
        for (int c = 0; c < clients.size(); c++)
        {
            final int index = c;
            final Semaphore semaphore = new Semaphore(inFlight);
            final ExecutorService pool = Executors.newFixedThreadPool(2, r ->
            {
                final Thread t = new Thread(r, "nemesis-delete-" + index);
                t.setDaemon(true);
                return t;
            });
            permits.add(semaphore);
            pools.add(pool);
            final Thread driver = new Thread(() -> drive(index, semaphore, pool), "nemesis-client-" + index);
            driver.setDaemon(true);
            drivers.add(driver);
            driver.start();
        }
    }

    /**
     * Stop issuing, wait for every outstanding request to be answered or to time out, then read every key used.
     */
    void finish(final long timeoutMs) throws InterruptedException
    {
        running = false;
        for (final Thread driver : drivers)
        {
            driver.join(timeoutMs);
            if (driver.isAlive())
            {
                throw new IllegalStateException(driver.getName() + " did not stop");
            }
        }
        for (final Semaphore semaphore : permits)
        {
            if (!semaphore.tryAcquire(inFlight, timeoutMs, TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException("requests still outstanding after " + timeoutMs + " ms");
            }
        }
        final List<String> keys;
        synchronized (histories)
        {
            keys = new ArrayList<>(histories.keySet());
        }
        final FerriteClient client = clients.get(0);
        for (final String key : keys)
        {
            final int id = ids.getAndIncrement();
            final long invoke = System.nanoTime();
            final byte[] value = client.get(key.getBytes(StandardCharsets.UTF_8));
            final Operation read = Operation.read(id, text(value), invoke, System.nanoTime());
            record(key, read);
            synchronized (histories)
            {
                finalReads.put(key, read);
            }
        }
    }

    /**
     * The read of each key made by {@link #finish}, after the faults.
     */
    Map<String, Operation> finalReads()
    {
        synchronized (histories)
        {
            return new LinkedHashMap<>(finalReads);
        }
    }

    /**
     * A copy of the recorded histories, key by key.
     */
    Map<String, List<Operation>> histories()
    {
        synchronized (histories)
        {
            final Map<String, List<Operation>> copy = new LinkedHashMap<>();
            histories.forEach((key, ops) -> copy.put(key, new ArrayList<>(ops)));
            return copy;
        }
    }

    long acknowledgedWrites()
    {
        return acknowledgedWrites.get();
    }

    long unknownOutcomes()
    {
        return unknown.get();
    }

    /**
     * Writes refused as resent after their outcome left the group's deduplication window ({@code
     * OUTCOME_FORGOTTEN}; counted among the unknown outcomes): each one a write that would have been applied twice.
     */
    long forgottenOutcomes()
    {
        return forgotten.get();
    }

    int operations()
    {
        synchronized (histories)
        {
            return histories.values().stream().mapToInt(List::size).sum();
        }
    }

    public void close()
    {
        running = false;
        for (final ExecutorService pool : pools)
        {
            pool.shutdownNow();
        }
        for (final FerriteClient client : clients)
        {
            CloseHelper.quietClose(client);
        }
    }

    private void drive(final int index, final Semaphore semaphore, final ExecutorService pool)
    {
        final FerriteClient client = clients.get(index);
        final Random random = new Random(seed * 31 + index);
        final Map<String, String> lastSeen = new LinkedHashMap<>();
        int sequence = 0;
        while (running)
        {
            try
            {
                if (!semaphore.tryAcquire(100, TimeUnit.MILLISECONDS))
                {
                    continue;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            final int id = ids.getAndIncrement();
            final String key = "e" + id / OPS_PER_EPOCH + "-k" + random.nextInt(KEYS_PER_EPOCH);
            final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            final String value = "c" + index + "-" + sequence++;
            final byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
            final int dice = random.nextInt(100);
            final long invoke = System.nanoTime();
            try
            {
                if (dice < 30)
                {
                    complete(client.getAsync(keyBytes), semaphore, result ->
                    {
                        final String read = text((byte[])result);
                        synchronized (lastSeen)
                        {
                            lastSeen.put(key, read);
                        }
                        return Operation.read(id, read, invoke, System.nanoTime());
                    }, null, key);
                }
                else if (dice < 50)
                {
                    final long ttlMs = random.nextInt(3) == 0 ? 300 + random.nextInt(1200) : 0;
                    complete(client.putAsync(keyBytes, valueBytes, Duration.ofMillis(ttlMs), WriteCondition.ALWAYS),
                        semaphore, result ->
                    {
                        final long returned = System.nanoTime();
                        acknowledgedWrites.incrementAndGet();
                        synchronized (lastSeen)
                        {
                            lastSeen.put(key, value);
                        }
                        expiry(key, id, value, ttlMs, invoke, returned);
                        return Operation.write(id, value, invoke, returned);
                    }, () ->
                    {
                        expiry(key, id, value, ttlMs, invoke, Long.MAX_VALUE);
                        return Operation.write(id, value, invoke, Long.MAX_VALUE);
                    }, key);
                }
                else if (dice < 60)
                {
                    complete(client.putAsync(keyBytes, valueBytes, Duration.ZERO, WriteCondition.IF_ABSENT), semaphore,
                        result -> Operation.putIfAbsent(id, value, (Boolean)result, invoke, System.nanoTime()),
                        () -> Operation.putIfAbsent(id, value, false, invoke, Long.MAX_VALUE), key);
                }
                else if (dice < 70)
                {
                    complete(client.putAsync(keyBytes, valueBytes, Duration.ZERO, WriteCondition.IF_PRESENT), semaphore,
                        result -> Operation.replace(id, value, (Boolean)result, invoke, System.nanoTime()),
                        () -> Operation.replace(id, value, false, invoke, Long.MAX_VALUE), key);
                }
                else if (dice < 85)
                {
                    final String expected;
                    synchronized (lastSeen)
                    {
                        expected = lastSeen.get(key);
                    }
                    if (null == expected)
                    {
                        semaphore.release();
                        continue;
                    }
                    complete(client.compareAndSetAsync(keyBytes, expected.getBytes(StandardCharsets.UTF_8),
                        valueBytes), semaphore,
                        result -> Operation.cas(id, expected, value, (Boolean)result, invoke, System.nanoTime()),
                        () -> Operation.cas(id, expected, value, false, invoke, Long.MAX_VALUE), key);
                }
                else
                {
                    complete(CompletableFuture.supplyAsync(() -> (Object)client.delete(keyBytes), pool), semaphore,
                        result -> Operation.delete(id, (Boolean)result, invoke, System.nanoTime()),
                        () -> Operation.delete(id, false, invoke, Long.MAX_VALUE), key);
                }
            }
            catch (final RuntimeException ex)
            {
                // refused before it was sent (the client had too many in flight for too long): never applied
                semaphore.release();
            }
        }
    }

    private interface OnResult
    {
        Operation apply(Object result);
    }

    private interface OnUnknown
    {
        Operation get();
    }

    private void complete(
        final CompletableFuture<?> future,
        final Semaphore semaphore,
        final OnResult onResult,
        final OnUnknown onUnknown,
        final String key)
    {
        future.whenComplete((result, error) ->
        {
            try
            {
                if (null == error)
                {
                    record(key, onResult.apply(result));
                }
                else if (null != onUnknown)
                {
                    if (cause(error) instanceof FerriteRequestException &&
                        ErrorCode.OUTCOME_FORGOTTEN == ((FerriteRequestException)cause(error)).code())
                    {
                        forgotten.incrementAndGet();
                    }
                    unknown.incrementAndGet();
                    record(key, onUnknown.get());
                }
            }
            finally
            {
                semaphore.release();
            }
        });
    }

    /**
     * The expiry of a TTL write, as a pseudo-operation: it takes effect between the write's apply time plus the TTL
     * (the apply time lies within the write's interval). When the write could have been applied after its window
     * opens, or its outcome is unknown, the expiry may happen any time after the window opens.
     */
    private void expiry(
        final String key, final int id, final String value, final long ttlMs, final long invoke, final long returned)
    {
        if (ttlMs <= 0)
        {
            return;
        }
        final long ttlNs = TimeUnit.MILLISECONDS.toNanos(ttlMs);
        final long opens = invoke + ttlNs - TTL_SLACK_NS;
        final boolean bounded = Long.MAX_VALUE != returned && returned < opens;
        final long closes = bounded ? returned + ttlNs + TTL_SLACK_NS : Long.MAX_VALUE;
        record(key, Operation.expire(-id - 1, value, opens, closes));
    }

    private void record(final String key, final Operation op)
    {
        synchronized (histories)
        {
            histories.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
        }
    }

    private static Throwable cause(final Throwable error)
    {
        return error instanceof CompletionException && null != error.getCause() ?
            error.getCause() : error;
    }

    private static String text(final byte[] value)
    {
        return null == value ? null : new String(value, StandardCharsets.UTF_8);
    }
}
