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
import java.util.concurrent.CountDownLatch;
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
}
