package io.ferrite.transport;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.CacheAside;
import io.ferrite.client.FerriteException;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class CacheAsideTest
{
    private final TestNodes nodes = new TestNodes();
    private FerriteNode node;
    private FerriteClient client;

    @BeforeEach
    void before()
    {
        node = FerriteNode.launch(nodes.nodeContext(TestNodes.freeUdpPort()));
        client = FerriteClient.connect(nodes.clientContext(node));
    }

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(client, node);
        assertEquals(List.of(), nodes.errors);
    }

    private static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private CacheAside.Cache view()
    {
        return new CacheAside.Cache()
        {
            public byte[] get(final byte[] key)
            {
                return client.get(key);
            }

            public void put(final byte[] key, final byte[] value, final long ttlMs)
            {
                client.put(key, value, Duration.ofMillis(ttlMs));
            }
        };
    }

    @Test
    void shouldRunTheLoaderOnceForAThousandConcurrentMissesOfOneKey() throws Exception
    {
        final int threads = 1000;
        final AtomicInteger loads = new AtomicInteger();
        final AtomicInteger arrived = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final CacheAside.Loader loader = key ->
        {
            loads.incrementAndGet();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (arrived.get() < threads && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            return b("loaded");
        };
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++)
            {
                results.add(pool.submit(() ->
                {
                    start.await();
                    arrived.incrementAndGet();
                    return client.getOrLoad(b("hot"), loader);
                }));
            }
            start.countDown();
            for (final Future<byte[]> result : results)
            {
                assertArrayEquals(b("loaded"), result.get(60, TimeUnit.SECONDS), "every caller gets the loaded value");
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        assertEquals(1, loads.get(), "1000 concurrent misses of one key must run the loader once");
        assertArrayEquals(b("loaded"), client.get(b("hot")), "the loaded value is in the cache");
    }

    @Test
    void shouldLoadAgainOnceTheLoadedEntryExpires() throws Exception
    {
        final CacheAside aside = new CacheAside(view(), 200, 0, 10_000);
        final AtomicInteger loads = new AtomicInteger();
        assertArrayEquals(b("v1"), aside.getOrLoad(b("k"), key -> b("v" + loads.incrementAndGet())));
        assertArrayEquals(b("v1"), aside.getOrLoad(b("k"), key -> b("v" + loads.incrementAndGet())),
            "a hit must not load");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (null != client.get(b("k")) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertArrayEquals(b("v2"), aside.getOrLoad(b("k"), key -> b("v" + loads.incrementAndGet())),
            "after the TTL the next read loads again");
        assertEquals(2, loads.get());
    }

    @Test
    void shouldRememberAbsentKeysOnlyWithNegativeCaching()
    {
        final AtomicInteger loads = new AtomicInteger();
        final CacheAside.Loader nothing = key ->
        {
            loads.incrementAndGet();
            return null;
        };
        final CacheAside plain = new CacheAside(view(), 0, 0, 10_000);
        assertNull(plain.getOrLoad(b("none"), nothing));
        assertNull(plain.getOrLoad(b("none"), nothing));
        assertEquals(2, loads.get(), "without negative caching each miss loads");
        final CacheAside negative = new CacheAside(view(), 0, 60_000, 10_000);
        assertNull(negative.getOrLoad(b("none"), nothing));
        assertNull(negative.getOrLoad(b("none"), nothing));
        assertEquals(3, loads.get(), "with negative caching the second miss is answered without a load");
        negative.forgetNegative(b("none"));
        assertNull(negative.getOrLoad(b("none"), nothing));
        assertEquals(4, loads.get());
        assertNull(client.get(b("none")), "nothing is put into the cache for an absent key");
    }

    @Test
    void shouldGiveTheLoadersFailureToItsCallersAndNotCacheIt()
    {
        final CacheAside aside = new CacheAside(view(), 0, 60_000, 10_000);
        final FerriteException ex = assertThrows(FerriteException.class,
            () -> aside.getOrLoad(b("k"), key -> { throw new java.sql.SQLException("database down"); }));
        assertTrue(ex.getCause() instanceof java.sql.SQLException, "the loader's exception is the cause: " + ex);
        assertArrayEquals(b("ok"), aside.getOrLoad(b("k"), key -> b("ok")), "a failure is not cached");
    }

    @Test
    void shouldLoadOnceForManyAsyncMissesWithoutBlockingAThread() throws Exception
    {
        final CacheAside aside = client.cacheAside(Duration.ofMinutes(1), Duration.ZERO, Duration.ofSeconds(20));
        final AtomicInteger loads = new AtomicInteger();
        final CompletableFuture<byte[]> database = new CompletableFuture<>();
        final List<CompletableFuture<byte[]>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            results.add(aside.getOrLoadAsync(b("async-hot"), (key) ->
            {
                loads.incrementAndGet();
                return database;
            }));
        }
        awaitTrue("every caller to have joined the one flight", () -> aside.joined() == 199);
        assertTrue(results.stream().noneMatch(CompletableFuture::isDone), "nothing completes before the load");
        database.complete(b("from-db"));
        for (final CompletableFuture<byte[]> result : results)
        {
            assertArrayEquals(b("from-db"), result.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, loads.get(), "one load for 200 concurrent misses");
        assertArrayEquals(b("from-db"), client.get(b("async-hot")), "the loaded value is in the cache");
        assertArrayEquals(b("from-db"), client.getOrLoadAsync(b("async-hot"), (key) ->
        {
            throw new AssertionError("a hit must not load");
        }).get(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldGiveAnAsyncLoadersFailureToItsCallersAndNotCacheIt() throws Exception
    {
        final CompletableFuture<byte[]> failed = client.getOrLoadAsync(b("async-k"),
            (key) -> CompletableFuture.failedFuture(new java.sql.SQLException("database down")));
        final ExecutionException ex = assertThrows(ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
        assertTrue(ex.getCause() instanceof FerriteException && ex.getCause().getCause() instanceof
            java.sql.SQLException, "a FerriteException caused by the loader's: " + ex.getCause());
        assertNull(client.get(b("async-k")), "a failure stores nothing");
        assertArrayEquals(b("ok"), client.getOrLoadAsync(b("async-k"),
            (key) -> CompletableFuture.completedFuture(b("ok"))).get(10, TimeUnit.SECONDS), "a failure is not cached");
    }

    @Test
    void shouldFailAnAsyncLoadThatOutlivesTheWaitTimeout()
    {
        final CacheAside aside = client.cacheAside(Duration.ZERO, Duration.ZERO, Duration.ofMillis(200));
        final CompletableFuture<byte[]> never = new CompletableFuture<>();
        final ExecutionException ex = assertThrows(ExecutionException.class,
            () -> aside.getOrLoadAsync(b("slow"), (key) -> never).get(10, TimeUnit.SECONDS));
        assertTrue(ex.getCause() instanceof FerriteException && ex.getCause().getMessage().contains("200 ms"),
            "the wait timeout is named: " + ex.getCause());
        assertArrayEquals(b("second try"), aside.getOrLoadAsync(b("slow"),
            (key) -> CompletableFuture.completedFuture(b("second try"))).join(),
            "a load stuck past the timeout does not hold the key: the next caller loads");
    }

    private static void awaitTrue(final String what, final java.util.function.BooleanSupplier condition)
    {
        TestNodes.awaitTrue(what, 10_000, condition);
    }
}
