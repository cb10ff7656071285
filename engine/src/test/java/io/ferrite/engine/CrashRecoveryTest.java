package io.ferrite.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kill -9 a process in the middle of writing, then reopen: the store is either rebuilt into a consistent store that
 * returns only values a put wrote for that key, or refused; never served wrong.
 */
class CrashRecoveryTest
{
    private static final long CHILD_TIMEOUT_MS = 60_000;
    private static final EvictionPolicyType[] POLICIES =
        { EvictionPolicyType.LRU, EvictionPolicyType.LFU, EvictionPolicyType.MFU, EvictionPolicyType.WINDOW_TINY_LFU };

    @TempDir
    File tempDir;

    @Test
    @Timeout(110)
    void shouldRebuildOrRejectButNeverServeWrongValuesAfterKillMidWrite() throws InterruptedException
    {
        final int[] killAfterProgressReports = { 1, 3, 8, 20, 40 };
        for (int round = 0; round < killAfterProgressReports.length; round++)
        {
            final File dir = new File(tempDir, "store-" + round);
            final long target = (long)killAfterProgressReports[round] * CrashWriter.PROGRESS_EVERY;
            final EvictionPolicyType policy = POLICIES[round % POLICIES.length];
            final String where = "round " + round + " (" + policy + ", killed after " + target + "+ ops): ";
            try (ChildJvm child = new ChildJvm(
                tempDir, CrashWriter.class, "write", dir.getPath(), "" + (42 + round), policy.name()))
            {
                child.awaitLine("opened"::equals, CHILD_TIMEOUT_MS, "opened");
                if (0 == round)
                {
                    final IllegalStateException ex = assertThrows(IllegalStateException.class,
                        () -> FerriteStore.open(CrashWriter.storeContext(dir)),
                        where + "a store open in another process must not open here");
                    assertTrue(ex.getMessage().contains("open in another process"), ex.getMessage());
                }
                child.awaitLine(
                    line -> line.startsWith("progress ") && Long.parseLong(line.substring(9)) >= target,
                    CHILD_TIMEOUT_MS, "progress " + target);
                child.kill();
            }

            final StoreCorruptedException rejected = assertThrows(StoreCorruptedException.class,
                () -> FerriteStore.open(CrashWriter.storeContext(dir).recoveryMode(RecoveryMode.REJECT)),
                where + "RecoveryMode.REJECT must refuse a store whose writer died");
            assertTrue(rejected.getMessage().contains("not closed cleanly"), where + rejected.getMessage());

            final long size;
            try (FerriteStore store = FerriteStore.open(
                CrashWriter.storeContext(dir).recoveryMode(RecoveryMode.REBUILD)))
            {
                verify(store, where + "after rebuild: ");
                assertEquals(policy, store.policyType(), where + "policy after rebuild");
                size = store.size();
                System.out.println(where + "rebuilt " + size + " entries, " + store.stats());
                assertTrue(size > 0, where + "a rebuilt store that held hundreds of entries is empty");
                assertEquals(size, checkEveryValue(store, where + "after rebuild: "), where + "forEach count");
                keepWriting(store, round, where);
            }
            try (FerriteStore store = FerriteStore.open(
                CrashWriter.storeContext(dir).recoveryMode(RecoveryMode.REJECT)))
            {
                verify(store, where + "after a clean close of the rebuilt store: ");
                checkEveryValue(store, where + "after a clean close of the rebuilt store: ");
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseSecondOpenInThisProcessAndKeepOtherProcessesOut() throws InterruptedException
    {
        final File dir = new File(tempDir, "locked");
        try (FerriteStore store = FerriteStore.open(CrashWriter.storeContext(dir)))
        {
            store.put(StoreProbe.bytes("k"), StoreProbe.bytes("v"));
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> FerriteStore.open(CrashWriter.storeContext(dir)), "second open of an open store");
            assertTrue(ex.getMessage().contains("already open in this process"), ex.getMessage());
            assertEquals("refused IllegalStateException", probe(dir).replaceAll(":.*", ""),
                "after a refused second open in this process, another process must still be kept out");
            assertTrue(store.contains(StoreProbe.bytes("k")), "the first store is unaffected");
        }
        assertEquals("opened 1", probe(dir), "once closed, another process may open the store");
    }

    private String probe(final File dir) throws InterruptedException
    {
        try (ChildJvm child = new ChildJvm(tempDir, CrashWriter.class, "probe", dir.getPath()))
        {
            final String line = child.awaitLine(l -> true, CHILD_TIMEOUT_MS, "its probe result");
            assertEquals(0, child.waitForExit(CHILD_TIMEOUT_MS), "probe exit status; " + child.describe());
            return line;
        }
    }

    /**
     * Every key's value, by get and by iteration, must be a valid value written for that key.
     *
     * @return the number of entries iterated.
     */
    private static long checkEveryValue(final FerriteStore store, final String where)
    {
        final List<String> problems = new ArrayList<>();
        final long visited = store.forEach((buffer, keyOffset, keyLength, valueOffset, valueLength, expireAt) ->
        {
            final byte[] key = new byte[keyLength];
            buffer.getBytes(keyOffset, key);
            final byte[] value = new byte[valueLength];
            buffer.getBytes(valueOffset, value);
            final String name = new String(key, StandardCharsets.UTF_8);
            if (!name.startsWith("key-") || !CrashWriter.isValid(Integer.parseInt(name.substring(4)), value))
            {
                problems.add(name + " holds an invalid value of " + valueLength + " bytes");
                return;
            }
            final long version = ByteBuffer.wrap(value).getLong(4);
            final long ttl = CrashWriter.ttlFor(Integer.parseInt(name.substring(4)), version);
            final long now = System.currentTimeMillis();
            if ((0 == ttl) != (0 == expireAt) || (0 != ttl && Math.abs(expireAt - now - ttl) > CrashWriter.DAY_MS / 4))
            {
                problems.add(name + " version " + version + " was written with TTL " + ttl + " ms but expires at " +
                    expireAt + " (now " + now + "): a value with another write's TTL");
            }
        });
        for (int id = 0; id < CrashWriter.KEY_SPACE; id++)
        {
            final byte[] value = store.get(CrashWriter.key(id));
            if (null != value && !CrashWriter.isValid(id, value))
            {
                problems.add("get(key-" + id + ") returned an invalid value of " + value.length + " bytes");
            }
        }
        if (!problems.isEmpty())
        {
            fail(where + problems.size() + " wrong values, first: " + problems.subList(0, Math.min(5,
                problems.size())));
        }
        return visited;
    }

    /**
     * The rebuilt store must keep working: more puts, deletes and evictions, still consistent.
     */
    private static void keepWriting(final FerriteStore store, final int round, final String where)
    {
        final Random random = new Random(round);
        for (int i = 0; i < 3000; i++)
        {
            final int id = random.nextInt(CrashWriter.KEY_SPACE);
            if (random.nextInt(5) == 0)
            {
                store.delete(CrashWriter.key(id));
            }
            else
            {
                store.put(CrashWriter.key(id), CrashWriter.value(id, 1_000_000 + i, random.nextInt(3000)),
                    CrashWriter.ttlFor(id, 1_000_000 + i));
            }
        }
        verify(store, where + "after writing to the rebuilt store: ");
        checkEveryValue(store, where + "after writing to the rebuilt store: ");
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
}
