package io.ferrite.engine;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.ferrite.engine.StoreProbe.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Model-based properties: random operation sequences run against a store and a plain reference model, with the
 * invariant walker ({@link FerriteStore#verify()}) after every step.
 * <p>
 * jqwik has no timeout of its own (the Jupiter default of the parent pom does not reach it), so every property
 * runs against a wall-clock budget checked at each step, and each try is bounded in steps.
 */
class StoreModelPropertyTest
{
    private static final long PROPERTY_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int EXACT_KEY_SPACE = 40;
    private static final int PRESSURE_KEY_SPACE = 60;

    private long deadlineNs;

    @BeforeProperty
    void startBudget()
    {
        deadlineNs = System.nanoTime() + PROPERTY_BUDGET_NANOS;
    }

    @Provide
    Arbitrary<List<StoreOp>> smallValueOps()
    {
        return StoreOp.ops(EXACT_KEY_SPACE, 600).list().ofMinSize(200).ofMaxSize(600);
    }

    @Provide
    Arbitrary<List<StoreOp>> largeValueOps()
    {
        return StoreOp.ops(PRESSURE_KEY_SPACE, 3000).list().ofMinSize(100).ofMaxSize(400);
    }

    @Provide
    Arbitrary<EvictionPolicyType> frequencyPolicies()
    {
        return Arbitraries.of(EvictionPolicyType.LFU, EvictionPolicyType.MFU);
    }

    @Provide
    Arbitrary<Double> fillRatios()
    {
        return Arbitraries.of(0.5, 0.75, 0.9, 0.98);
    }

    @Provide
    Arbitrary<EvictionPolicyType> policies()
    {
        return Arbitraries.of(EvictionPolicyType.values());
    }

    /**
     * Pressure comes from maxEntries only (values are small and the byte budget ample), so the store must evict
     * exactly what a {@code LinkedHashMap} in access order evicts, and hold its entries in the same order.
     * Clock advances expire entries: half of the expired keys are read (lazy expiry must return nothing), then a
     * full sweep must remove exactly the rest.
     */
    @Property(tries = 100, edgeCases = EdgeCasesMode.NONE)
    @StatisticsReport(onFailureOnly = true)
    void shouldEvictInLinkedHashMapAccessOrderStepByStep(
        @ForAll @IntRange(min = 1, max = 24) final int maxEntries,
        @ForAll final boolean persistent,
        @ForAll("smallValueOps") final List<StoreOp> ops)
    {
        final MutableClock clock = new MutableClock(1_000_000);
        try (StoreUnderTest sut = new StoreUnderTest(persistent, () -> new StoreContext()
            .capacityBytes(64 * 1024).segmentSize(4096).maxEntries(maxEntries)
            .policy(EvictionPolicyType.LRU).clock(clock)))
        {
            final LinkedHashMap<String, Expected> model = new LinkedHashMap<>(16, 0.75f, true);
            long evictions = 0;
            long expirations = 0;
            FerriteStore store = sut.store();
            for (int step = 0; step < ops.size(); step++)
            {
                checkBudget(step);
                final StoreOp op = ops.get(step);
                final String where = "step " + step + " " + op + ": ";
                final String key = op.keyName();
                final byte[] keyBytes = bytes(key);
                final boolean present = model.containsKey(key);
                switch (op.kind)
                {
                    case PUT:
                    case PUT_WITH_TTL:
                    case PUT_IF_ABSENT:
                    case REPLACE:
                    {
                        final byte[] value = value(step, op.valueLength);
                        final long ttl = op.kind == StoreOp.Kind.PUT_WITH_TTL ? op.millis : 0;
                        final int mode = mode(op.kind);
                        final boolean shouldStore = (FerriteStore.PUT_IF_ABSENT != mode || !present) &&
                            (FerriteStore.REPLACE != mode || present);
                        final int result = put(store, keyBytes, value, ttl, mode);
                        assertEquals(shouldStore ? FerriteStore.STORED : FerriteStore.NOT_STORED, result,
                            where + "put result (key present in model: " + present + ")");
                        if (shouldStore)
                        {
                            model.put(key, new Expected(value, ttl > 0 ? clock.time() + ttl : 0));
                            if (model.size() > maxEntries)
                            {
                                final Iterator<String> eldest = model.keySet().iterator();
                                final String evicted = eldest.next();
                                eldest.remove();
                                evictions++;
                                assertFalse(store.contains(bytes(evicted)),
                                    where + "the least recently used key " + evicted + " should have been evicted");
                            }
                        }
                        break;
                    }
                    case GET:
                    {
                        final byte[] actual = store.get(keyBytes);
                        if (present)
                        {
                            assertArrayEquals(model.get(key).value, actual, where + "value differs from the model");
                        }
                        else
                        {
                            assertNull(actual, where + "absent key returned a value");
                        }
                        break;
                    }
                    case CONTAINS:
                        assertEquals(present, store.contains(keyBytes), where + "contains disagrees with the model");
                        break;
                    case DELETE:
                        assertEquals(present, store.delete(keyBytes), where + "delete result disagrees with model");
                        model.remove(key);
                        break;
                    case ADVANCE_CLOCK:
                        expirations += expire(store, clock, op.millis, model, where).size();
                        assertEquals(expirations, store.stats().expirations(), where + "expirations counter");
                        break;
                    case REOPEN:
                        store = sut.reopen();
                        break;
                    default:
                        fail("unknown op " + op);
                }
                verify(store, where);
                assertEquals(new ArrayList<>(model.keySet()), StoreProbe.keysEldestFirst(store, 0),
                    where + "store's recency order (eldest first) differs from LinkedHashMap in access order");
                assertEquals(model.size(), store.size(), where + "size");
                assertEquals(evictions, store.stats().evictions(), where + "evictions counter");
            }
            Statistics.label("pressure").collect(evictions > 0 ? "evicted" : "no eviction");
            Statistics.label("cleaner").collect(sut.store().stats().cleanedSegments() > 0 ? "cleaned" : "not cleaned");
            requireCoverage();
        }
    }

    /**
     * LFU and MFU against {@link FrequencyModel}, the documented policy written plainly: every level's entries in
     * the same order, the same victims, with aging every few operations. Pressure comes from maxEntries only.
     */
    @Property(tries = 80, edgeCases = EdgeCasesMode.NONE)
    @StatisticsReport(onFailureOnly = true)
    void shouldMatchReferenceFrequencyModelStepByStep(
        @ForAll("frequencyPolicies") final EvictionPolicyType policy,
        @ForAll @IntRange(min = 1, max = 16) final int maxEntries,
        @ForAll @IntRange(min = 1, max = 40) final int agingPeriod,
        @ForAll final boolean persistent,
        @ForAll("smallValueOps") final List<StoreOp> ops)
    {
        final MutableClock clock = new MutableClock(1_000_000);
        try (StoreUnderTest sut = new StoreUnderTest(persistent, () -> new StoreContext()
            .capacityBytes(64 * 1024).segmentSize(4096).maxEntries(maxEntries).policy(policy)
            .agingPeriod(agingPeriod).clock(clock)))
        {
            final FrequencyModel frequencies = new FrequencyModel(EvictionPolicyType.MFU == policy, agingPeriod);
            final Map<String, Expected> values = new HashMap<>();
            long evictions = 0;
            FerriteStore store = sut.store();
            for (int step = 0; step < ops.size(); step++)
            {
                checkBudget(step);
                final StoreOp op = ops.get(step);
                final String where = policy + " aging every " + agingPeriod + ", step " + step + " " + op + ": ";
                final String key = op.keyName();
                final byte[] keyBytes = bytes(key);
                final boolean present = values.containsKey(key);
                switch (op.kind)
                {
                    case PUT:
                    case PUT_WITH_TTL:
                    case PUT_IF_ABSENT:
                    case REPLACE:
                    {
                        final byte[] value = value(step, op.valueLength);
                        final long ttl = op.kind == StoreOp.Kind.PUT_WITH_TTL ? op.millis : 0;
                        final int mode = mode(op.kind);
                        final boolean shouldStore = (FerriteStore.PUT_IF_ABSENT != mode || !present) &&
                            (FerriteStore.REPLACE != mode || present);
                        assertEquals(shouldStore ? FerriteStore.STORED : FerriteStore.NOT_STORED,
                            put(store, keyBytes, value, ttl, mode), where + "put result (present: " + present + ")");
                        if (shouldStore)
                        {
                            if (present)
                            {
                                frequencies.access(key);
                            }
                            else
                            {
                                if (frequencies.size() == maxEntries)
                                {
                                    final String victim = frequencies.victim();
                                    frequencies.remove(victim);
                                    values.remove(victim);
                                    evictions++;
                                    assertFalse(store.contains(bytes(victim)),
                                        where + "the model's victim " + victim + " should have been evicted");
                                }
                                frequencies.insert(key);
                            }
                            values.put(key, new Expected(value, ttl > 0 ? clock.time() + ttl : 0));
                        }
                        break;
                    }
                    case GET:
                    {
                        final byte[] actual = store.get(keyBytes);
                        if (present)
                        {
                            assertArrayEquals(values.get(key).value, actual, where + "value differs from the model");
                            frequencies.access(key);
                        }
                        else
                        {
                            assertNull(actual, where + "absent key returned a value");
                        }
                        break;
                    }
                    case CONTAINS:
                        assertEquals(present, store.contains(keyBytes), where + "contains disagrees with the model");
                        break;
                    case DELETE:
                        assertEquals(present, store.delete(keyBytes), where + "delete result disagrees with model");
                        values.remove(key);
                        frequencies.remove(key);
                        break;
                    case ADVANCE_CLOCK:
                        for (final String expired : expire(store, clock, op.millis, values, where))
                        {
                            frequencies.remove(expired);
                        }
                        break;
                    case REOPEN:
                        store = sut.reopen();
                        break;
                    default:
                        fail("unknown op " + op);
                }
                verify(store, where);
                for (int level = 0; level < FrequencyPolicy.LEVELS; level++)
                {
                    assertEquals(frequencies.eldestFirst(level), StoreProbe.keysEldestFirst(store, level),
                        where + "level " + level + " (eldest first) differs from the reference model");
                }
                assertEquals(frequencies.victim(), StoreProbe.victimKey(store), where + "next victim");
                assertEquals(frequencies.size(), store.size(), where + "size");
                assertEquals(evictions, store.stats().evictions(), where + "evictions counter");
            }
            Statistics.label("pressure").collect(evictions > 0 ? "evicted" : "no eviction");
            Statistics.label("cleaner").collect(sut.store().stats().cleanedSegments() > 0 ? "cleaned" : "not cleaned");
            requireCoverage();
        }
    }

    /**
     * Pressure comes from the byte budget with values up to 3000 bytes in 4 KiB segments, at several fill ratios,
     * and from the entry limit (for every policy, victims the model cannot predict): whatever the store returns
     * must be the last value put for that key and not yet deleted or expired, conditional puts must agree with what
     * the store can hold, and the walker must pass.
     */
    @Property(tries = 80, edgeCases = EdgeCasesMode.NONE)
    @StatisticsReport(onFailureOnly = true)
    void shouldOnlyReturnLastPutValueUnderBytePressure(
        @ForAll("policies") final EvictionPolicyType policy,
        @ForAll("fillRatios") final double fillRatio,
        @ForAll @IntRange(min = 8, max = 256) final int maxEntries,
        @ForAll final boolean persistent,
        @ForAll("largeValueOps") final List<StoreOp> ops)
    {
        final MutableClock clock = new MutableClock(1_000_000);
        try (StoreUnderTest sut = new StoreUnderTest(persistent, () -> new StoreContext()
            .capacityBytes(64 * 1024).segmentSize(4096).maxEntries(maxEntries).fillRatio(fillRatio).policy(policy)
            .clock(clock)))
        {
            final Map<String, Expected> model = new HashMap<>();
            FerriteStore store = sut.store();
            for (int step = 0; step < ops.size(); step++)
            {
                checkBudget(step);
                final StoreOp op = ops.get(step);
                final String where = policy + " fill " + fillRatio + " maxEntries " + maxEntries + ", step " + step +
                    " " + op + ": ";
                final String key = op.keyName();
                final byte[] keyBytes = bytes(key);
                final Expected expected = model.get(key);
                final boolean live = null != expected && !expected.isExpired(clock.time());
                switch (op.kind)
                {
                    case PUT:
                    case PUT_WITH_TTL:
                    case PUT_IF_ABSENT:
                    case REPLACE:
                    {
                        final byte[] value = value(step, op.valueLength);
                        final long ttl = op.kind == StoreOp.Kind.PUT_WITH_TTL ? op.millis : 0;
                        final int mode = mode(op.kind);
                        final int result = put(store, keyBytes, value, ttl, mode);
                        if (FerriteStore.STORED == result)
                        {
                            assertTrue(FerriteStore.REPLACE != mode || live,
                                where + "replace stored a value for a key that was never live");
                            model.put(key, new Expected(value, ttl > 0 ? clock.time() + ttl : 0));
                        }
                        else
                        {
                            assertEquals(FerriteStore.NOT_STORED, result, where + "unexpected put result");
                            assertTrue(FerriteStore.PUT == mode ? false : FerriteStore.REPLACE == mode || live,
                                where + "put-if-absent refused although the key is deleted or expired");
                        }
                        break;
                    }
                    case GET:
                    {
                        final byte[] actual = store.get(keyBytes);
                        if (null != actual)
                        {
                            assertTrue(live, where + "returned a value for a key that is deleted, expired or " +
                                "was never put");
                            assertArrayEquals(expected.value, actual, where + "returned a stale or wrong value");
                        }
                        break;
                    }
                    case CONTAINS:
                        if (store.contains(keyBytes))
                        {
                            assertTrue(live, where + "contains is true for a deleted or expired key");
                        }
                        break;
                    case DELETE:
                        if (store.delete(keyBytes))
                        {
                            assertTrue(live, where + "delete removed a key that is deleted or expired");
                        }
                        model.remove(key);
                        break;
                    case ADVANCE_CLOCK:
                        clock.advance(op.millis);
                        break;
                    case REOPEN:
                        store = sut.reopen();
                        break;
                    default:
                        fail("unknown op " + op);
                }
                verify(store, where);
                assertTrue(store.stats().liveBytes() <= store.liveLimit(),
                    where + "live bytes " + store.stats().liveBytes() + " exceed the limit " + store.liveLimit());
            }
            Statistics.label("pressure").collect(sut.store().stats().evictions() > 0 ? "evicted" : "no eviction");
            Statistics.label("cleaner").collect(sut.store().stats().cleanedSegments() > 0 ? "cleaned" : "not cleaned");
            requireCoverage();
        }
    }

    /**
     * Advance the clock, read half of the keys that expired (they must be gone), sweep the whole table and check
     * it removed exactly the other half.
     *
     * @return the keys that expired.
     */
    private static List<String> expire(
        final FerriteStore store,
        final MutableClock clock,
        final long millis,
        final Map<String, Expected> model,
        final String where)
    {
        clock.advance(millis);
        final long now = clock.time();
        final List<String> expired = new ArrayList<>();
        for (final Map.Entry<String, Expected> e : model.entrySet())
        {
            if (e.getValue().isExpired(now))
            {
                expired.add(e.getKey());
            }
        }
        for (int i = 0; i < expired.size(); i += 2)
        {
            assertNull(store.get(bytes(expired.get(i))), where + "expired key " + expired.get(i) + " was returned");
        }
        store.sweep((int)store.maxEntries());
        for (final String key : expired)
        {
            assertFalse(store.contains(bytes(key)), where + "expired key " + key + " still present after a sweep");
            model.remove(key);
        }
        return expired;
    }

    /**
     * Fail the property if most tries neither evicted nor ran the segment cleaner: then it tested too little.
     */
    private static void requireCoverage()
    {
        Statistics.label("pressure").coverage(c -> c.check("evicted").percentage(p -> p >= 50));
        Statistics.label("cleaner").coverage(c -> c.check("cleaned").percentage(p -> p >= 50));
    }

    private static int put(
        final FerriteStore store, final byte[] key, final byte[] value, final long ttl, final int mode)
    {
        return store.put(new UnsafeBuffer(key), 0, key.length, new UnsafeBuffer(value), 0, value.length, ttl, mode);
    }

    private static int mode(final StoreOp.Kind kind)
    {
        switch (kind)
        {
            case PUT_IF_ABSENT:
                return FerriteStore.PUT_IF_ABSENT;
            case REPLACE:
                return FerriteStore.REPLACE;
            default:
                return FerriteStore.PUT;
        }
    }

    /**
     * A value unique to the step that wrote it.
     */
    private static byte[] value(final int step, final int length)
    {
        final byte[] value = new byte[length];
        for (int i = 0; i < length; i++)
        {
            value[i] = (byte)(step * 31 + i * 7 + (i >>> 8));
        }
        return value;
    }

    private static void verify(final FerriteStore store, final String where)
    {
        try
        {
            store.verify();
        }
        catch (final IllegalStateException ex)
        {
            throw new AssertionError(where + ex.getMessage(), ex);
        }
    }

    private void checkBudget(final int step)
    {
        if (System.nanoTime() > deadlineNs)
        {
            fail("property ran past its budget of " + TimeUnit.NANOSECONDS.toSeconds(PROPERTY_BUDGET_NANOS) +
                " s (at step " + step + " of a try): make it cheaper or lower its tries");
        }
    }

    /**
     * The store a property runs against: anonymous, or persistent in a temporary directory, in which case
     * {@link StoreOp.Kind#REOPEN} closes it cleanly and opens it again with the same settings and clock.
     */
    static final class StoreUnderTest implements AutoCloseable
    {
        private final Supplier<StoreContext> settings;
        private final File dir;
        private FerriteStore store;

        StoreUnderTest(final boolean persistent, final Supplier<StoreContext> settings)
        {
            this.settings = settings;
            try
            {
                // In the anonymous stores' directory (/dev/shm when there is one): forcing files to disk is slow.
                dir = persistent ?
                    Files.createTempDirectory(new StoreContext().anonymousDir().toPath(), "ferrite-model-").toFile() :
                    null;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            try
            {
                store = FerriteStore.open(settings.get().dir(dir));
            }
            catch (final RuntimeException ex)
            {
                if (null != dir)
                {
                    IoUtil.delete(dir, true);
                }
                throw ex;
            }
        }

        FerriteStore store()
        {
            return store;
        }

        FerriteStore reopen()
        {
            if (null != dir)
            {
                store.close();
                store = FerriteStore.open(settings.get().dir(dir).recoveryMode(RecoveryMode.REJECT));
            }
            return store;
        }

        public void close()
        {
            try
            {
                store.close();
            }
            finally
            {
                if (null != dir)
                {
                    IoUtil.delete(dir, true);
                }
            }
        }
    }

    static final class Expected
    {
        final byte[] value;
        final long expireAt;

        Expected(final byte[] value, final long expireAt)
        {
            this.value = value;
            this.expireAt = expireAt;
        }

        boolean isExpired(final long now)
        {
            return 0 != expireAt && expireAt <= now;
        }
    }
}
