package io.ferrite.tools;

import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import io.ferrite.engine.StoreStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * Shows Ferrite working on embedded defaults: opens a store, fills it past its budget, reads back, restarts it.
 */
@Command(name = "demo", description = "Run Ferrite on embedded defaults and show it working.")
final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--dir", description = "Store directory (default: ${DEFAULT-VALUE}).",
        defaultValue = "ferrite-data/demo-store")
    File dir;

    @Option(names = "--entries", description = "Entries to put (default: ${DEFAULT-VALUE}).", defaultValue = "200000")
    int entries;

    public Integer call()
    {
        final long capacity = 16L * 1024 * 1024;
        System.out.printf("Opening an LRU store of %d MiB in %s%n", capacity >> 20, dir);
        try (FerriteStore store = FerriteStore.open(new StoreContext()
            .dir(dir).deleteOnOpen(true).capacityBytes(capacity).policy(EvictionPolicyType.LRU)))
        {
            final byte[] value = new byte[100];
            final long start = System.nanoTime();
            for (int i = 0; i < entries; i++)
            {
                store.put(("key-" + i).getBytes(StandardCharsets.US_ASCII), value);
            }
            final long elapsed = System.nanoTime() - start;
            System.out.printf("Put %,d entries of 100 bytes in %d ms; %,d fit the budget%n",
                entries, elapsed / 1_000_000, store.size());
            final byte[] last = store.get(("key-" + (entries - 1)).getBytes(StandardCharsets.US_ASCII));
            final byte[] first = store.get("key-0".getBytes(StandardCharsets.US_ASCII));
            System.out.printf("Newest key present: %s; oldest key evicted: %s%n", null != last, null == first);
            print(store.stats());
        }
        try (FerriteStore store = FerriteStore.open(new StoreContext().dir(dir)))
        {
            System.out.printf("Reopened after a clean close: %,d entries still there%n", store.size());
            store.verify();
            System.out.println("Integrity check passed.");
        }
        return 0;
    }

    private static void print(final StoreStats stats)
    {
        System.out.printf("Stats: size=%,d liveBytes=%,d hits=%,d misses=%,d evictions=%,d cleanedSegments=%,d%n",
            stats.size(), stats.liveBytes(), stats.hits(), stats.misses(), stats.evictions(), stats.cleanedSegments());
    }
}
