package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FerriteStoreTest
{
    @TempDir
    File tempDir;

    private final List<FerriteStore> stores = new ArrayList<>();
    private final MutableClock clock = new MutableClock(1_000_000);

    @AfterEach
    void closeStores()
    {
        stores.forEach(FerriteStore::close);
    }

    private FerriteStore open(final StoreContext ctx)
    {
        final FerriteStore store = FerriteStore.open(ctx.clock(clock));
        stores.add(store);
        return store;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPutGetDeleteAndCount()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(1 << 20));
        store.put(bytes("a"), bytes("alpha"));
        store.put(bytes("b"), bytes("beta"));
        assertArrayEquals(bytes("alpha"), store.get(bytes("a")));
        assertEquals(2, store.size());
        store.put(bytes("a"), bytes("ALPHA!"));
        assertArrayEquals(bytes("ALPHA!"), store.get(bytes("a")), "update must replace the value");
        assertEquals(2, store.size());
        assertTrue(store.delete(bytes("a")));
        assertFalse(store.delete(bytes("a")), "second delete finds nothing");
        assertNull(store.get(bytes("a")));
        assertEquals(1, store.size());
        store.verify();
    }

    @Test
    void shouldHonourPutIfAbsentAndReplace()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(1 << 20));
        final UnsafeBuffer key = new UnsafeBuffer(bytes("k"));
        final UnsafeBuffer v1 = new UnsafeBuffer(bytes("one"));
        final UnsafeBuffer v2 = new UnsafeBuffer(bytes("two"));
        assertEquals(FerriteStore.NOT_STORED, store.put(key, 0, 1, v1, 0, 3, 0, FerriteStore.REPLACE));
        assertEquals(FerriteStore.STORED, store.put(key, 0, 1, v1, 0, 3, 0, FerriteStore.PUT_IF_ABSENT));
        assertEquals(FerriteStore.NOT_STORED, store.put(key, 0, 1, v2, 0, 3, 0, FerriteStore.PUT_IF_ABSENT));
        assertArrayEquals(bytes("one"), store.get(bytes("k")));
        assertEquals(FerriteStore.STORED, store.put(key, 0, 1, v2, 0, 3, 0, FerriteStore.REPLACE));
        assertArrayEquals(bytes("two"), store.get(bytes("k")));
    }

    @Test
    void shouldExpireByInjectedClock()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(1 << 20));
        store.put(bytes("t"), bytes("x"), 100);
        clock.advance(99);
        assertArrayEquals(bytes("x"), store.get(bytes("t")));
        clock.advance(1);
        assertNull(store.get(bytes("t")), "entry must expire exactly at its TTL");
        assertEquals(1, store.stats().expirations());
        assertEquals(0, store.size());
        store.verify();
    }

    @Test
    void shouldRefuseValueLargerThanBudgetWithClearError()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(256 * 1024));
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> store.put(bytes("big"), new byte[1 << 20]));
        assertTrue(ex.getMessage().contains("larger than this store's limit"), ex.getMessage());
        store.verify();
    }

    @Test
    void shouldEvictUnderPressureAndStayConsistent()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(512 * 1024).maxEntries(2000));
        for (int i = 0; i < 20_000; i++)
        {
            store.put(bytes("key-" + i), new byte[(i * 37) % 700]);
            if (i % 997 == 0)
            {
                store.verify();
            }
        }
        store.verify();
        assertTrue(store.stats().evictions() > 0, "expected evictions: " + store.stats());
        assertTrue(store.mappedBytes() <= 512 * 1024, "mapped " + store.mappedBytes());
        assertArrayEquals(new byte[(19_999 * 37) % 700], store.get(bytes("key-19999")));
    }

    @Test
    void shouldKeepEntriesAcrossCleanRestart()
    {
        final File dir = new File(tempDir, "store");
        final FerriteStore first = FerriteStore.open(new StoreContext().dir(dir).capacityBytes(1 << 20).clock(clock));
        for (int i = 0; i < 1000; i++)
        {
            first.put(bytes("k" + i), bytes("v" + i));
        }
        first.close();
        final FerriteStore second = open(new StoreContext().dir(dir));
        assertEquals(1000, second.size());
        for (int i = 0; i < 1000; i++)
        {
            assertArrayEquals(bytes("v" + i), second.get(bytes("k" + i)), "key k" + i);
        }
        second.verify();
    }

    @Test
    void shouldCompareAndSetOnlyWhenValueMatches()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(1 << 20));
        final UnsafeBuffer key = new UnsafeBuffer(bytes("k"));
        final UnsafeBuffer one = new UnsafeBuffer(bytes("one"));
        final UnsafeBuffer two = new UnsafeBuffer(bytes("two"));
        assertEquals(FerriteStore.NOT_STORED, store.compareAndSet(key, 0, 1, one, 0, 3, two, 0, 3, 0),
            "CAS on an absent key must fail");
        store.put(bytes("k"), bytes("one"));
        assertEquals(FerriteStore.NOT_STORED, store.compareAndSet(key, 0, 1, two, 0, 3, one, 0, 3, 0),
            "CAS with a wrong expected value must fail");
        assertArrayEquals(bytes("one"), store.get(bytes("k")));
        assertEquals(FerriteStore.STORED, store.compareAndSet(key, 0, 1, one, 0, 3, two, 0, 3, 0));
        assertArrayEquals(bytes("two"), store.get(bytes("k")));
        store.verify();
    }

    @Test
    void shouldPeekWithoutTouchingRecencyOrCounters()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(1 << 20).maxEntries(2)
            .policy(EvictionPolicyType.LRU));
        store.put(bytes("a"), bytes("1"));
        store.put(bytes("b"), bytes("2"));
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[8]);
        assertEquals(1, store.peek(new UnsafeBuffer(bytes("a")), 0, 1, dst, 0));
        assertEquals('1', dst.getByte(0));
        assertEquals(0, store.stats().hits(), "peek must not count as a hit");
        store.put(bytes("c"), bytes("3"));
        assertNull(store.get(bytes("a")), "peek must not refresh recency: a stays the LRU victim");
        assertEquals(FerriteStore.NOT_FOUND, store.peek(new UnsafeBuffer(bytes("zz")), 0, 2, dst, 0));
    }
}
