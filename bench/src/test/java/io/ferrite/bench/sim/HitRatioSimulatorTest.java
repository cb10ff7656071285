package io.ferrite.bench.sim;

import io.ferrite.engine.EvictionPolicyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HitRatioSimulatorTest
{
    @TempDir
    File tempDir;

    @Test
    void shouldReadPlainAndBinaryTracesAndNameTheBadLine() throws IOException
    {
        final File text = new File(tempDir, "mine.trace");
        Files.writeString(text.toPath(), "1\n2\n*\n\n 1 \n3\n", StandardCharsets.US_ASCII);
        assertTrue(Trace.isTrace(text));
        final Trace trace = Trace.read(text);
        assertEquals("mine", trace.name);
        assertArrayEquals(new long[]{ 1, 2, 1, 3 }, trace.keys);
        assertEquals(3, trace.uniqueKeys);

        final File binary = new File(tempDir, "other.trace");
        try (DataOutputStream out = new DataOutputStream(new FileOutputStream(binary)))
        {
            out.writeLong(-5);
            out.writeLong(7);
            out.writeLong(-5);
        }
        assertArrayEquals(new long[]{ -5, 7, -5 }, Trace.read(binary, Trace.Format.U64).keys);

        final File bad = new File(tempDir, "bad.trace");
        Files.writeString(bad.toPath(), "1\n2\nR 0x1f 4\n", StandardCharsets.US_ASCII);
        final IOException ex = assertThrows(IOException.class, () -> Trace.read(bad));
        assertTrue(ex.getMessage().contains("line 3") && ex.getMessage().contains("bad.trace"), ex.getMessage());
        assertArrayEquals(new long[]{ 0x1f }, Trace.read(bad, Trace.Format.ADDRESS).keys,
            "the address format reads the second field as hex and skips lines without one");
    }

    /**
     * Zipf-like keys with a scan and a loop phase: enough structure that the policies differ.
     */
    private static Trace mixedTrace()
    {
        final Random random = new Random(42);
        final long[] keys = new long[60_000];
        for (int i = 0; i < keys.length; i++)
        {
            if (i % 20_000 < 15_000)
            {
                keys[i] = (long)Math.floor(Math.pow(5_000, random.nextDouble()));
            }
            else if (i < 20_000)
            {
                keys[i] = 100_000 + i;
            }
            else
            {
                keys[i] = 200_000 + i % 700;
            }
        }
        return Trace.of("mixed", keys);
    }

    @Test
    void shouldRenameKeysWithoutChangingTheAccessPattern()
    {
        final Trace trace = mixedTrace();
        final Trace renamed = trace.rekeyed(3);
        assertEquals(trace.uniqueKeys, renamed.uniqueKeys, "renaming must be a bijection");
        assertEquals(trace.keys.length, renamed.keys.length);
        int same = 0;
        for (int i = 0; i < trace.keys.length; i++)
        {
            same += trace.keys[i] == renamed.keys[i] ? 1 : 0;
        }
        assertTrue(same < trace.keys.length / 100, same + " keys kept their name");
        assertTrue(trace == trace.rekeyed(0), "version 0 is the trace itself");
        for (final int capacity : new int[]{ 100, 400, 1600 })
        {
            assertEquals(new ExactLruReplay().replay(trace, capacity), new ExactLruReplay().replay(renamed, capacity),
                "LRU depends only on the access pattern, capacity " + capacity);
            assertEquals(new BeladyReplay().replay(trace, capacity), new BeladyReplay().replay(renamed, capacity),
                "Belady depends only on the access pattern, capacity " + capacity);
        }
    }

    @Test
    void shouldAgreeWithTheReferencesAndStayBelowTheOptimum()
    {
        final Trace trace = mixedTrace();
        for (final int capacity : new int[]{ 50, 500, 3000 })
        {
            final long optimal = new BeladyReplay().replay(trace, capacity);
            assertEquals(new ExactLruReplay().replay(trace, capacity),
                new EngineReplay(EvictionPolicyType.LRU).replay(trace, capacity),
                "the engine's LRU must equal the reference LRU at capacity " + capacity);
            for (final ReplayPolicy policy : new ReplayPolicy[]{
                new EngineReplay(EvictionPolicyType.WINDOW_TINY_LFU), new EngineReplay(EvictionPolicyType.LFU),
                new CaffeineReplay() })
            {
                final long hits = policy.replay(trace, capacity);
                assertTrue(hits <= optimal, policy.name() + " " + hits + " hits above Belady's " + optimal +
                    " at capacity " + capacity);
                assertTrue(hits > 0, policy.name() + " never hit at capacity " + capacity);
            }
        }
    }

    @Test
    void shouldBeatLruOnAScanAndLoopMix()
    {
        final Trace trace = mixedTrace();
        final long lru = new ExactLruReplay().replay(trace, 500);
        final long tinyLfu = new EngineReplay(EvictionPolicyType.WINDOW_TINY_LFU).replay(trace, 500);
        assertTrue(tinyLfu > lru, "W-TinyLFU " + tinyLfu + " hits, LRU " + lru);
    }

    @Test
    void shouldChooseDoublingCapacitiesAroundAnEighthOfTheKeys()
    {
        assertArrayEquals(new int[]{ 250, 500, 1000, 2000, 4000 }, HitRatioSimulator.capacities(8000, 1));
        assertArrayEquals(new int[]{ 130, 250, 500, 1000, 2000 }, HitRatioSimulator.capacities(8000, 0.5));
        assertTrue(Arrays.stream(HitRatioSimulator.capacities(10, 1)).allMatch(c -> c >= 16), "at least 16 entries");
    }
}
