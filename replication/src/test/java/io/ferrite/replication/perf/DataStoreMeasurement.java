package io.ferrite.replication.perf;

import io.ferrite.client.FerriteClient;
import io.ferrite.replication.TestGroupAccess;
import io.ferrite.replication.datastore.DataStoreGroup;
import io.ferrite.replication.datastore.DataStorePolicyContext;
import io.ferrite.replication.datastore.DataStoreRecord;
import io.ferrite.replication.datastore.JdbcDataStore;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ferrite.replication.datastore.DataStoreGroup.bytes;

/**
 * Measures the datastore policies against direct JDBC on the same PostgreSQL, interleaved in one run: read-through
 * miss vs a direct JDBC read; write-through and write-behind put latency (sequential) and throughput (pipelined)
 * vs direct JDBC upserts; database writes saved by write-behind coalescing; time to drain a write-behind backlog
 * after an outage. Three members in this JVM (a loaded 2-core machine: read the figures as relative). Not part of
 * the suite (tag "perf"): {@code ./mvnw -B -o verify -pl replication -am -Dferrite.excluded.groups=none
 * -Dgroups=perf -Dtest=DataStoreMeasurement -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("perf")
class DataStoreMeasurement
{
    private static final int N = Integer.getInteger("ferrite.datastore.perf.n", 2000);

    @TempDir
    File dir;

    @Test
    @Timeout(900)
    void measure() throws Exception
    {
        try (DataStoreGroup db = new DataStoreGroup("perf"))
        {
            db.createTable();
            // through the same proxy as the group's pool, so both pay the same extra hop
            final String url = db.database().jdbcUrl().replace(":" + db.database().port() + "/", ":" +
                db.proxy().port() + "/");
            final JdbcDataStore direct = JdbcDataStore.open(db.database().context(db.table()).jdbcUrl(url));
            try
            {
                for (int i = 0; i < N; i++)
                {
                    direct.storeAll(List.of(new DataStoreRecord(bytes("seed-" + i), bytes("value-" + i), 1)));
                }
                readAndWriteThrough(db, direct);
                writeBehind(db, direct);
            }
            finally
            {
                direct.close();
            }
        }
    }

    private void readAndWriteThrough(final DataStoreGroup db, final JdbcDataStore direct) throws Exception
    {
        final TestGroupAccess group = TestGroupAccess.start(new File(dir, "through"), 27000, db,
            new DataStorePolicyContext().readThrough(true)
                .writePolicy(DataStorePolicyContext.WritePolicy.WRITE_THROUGH).conclude());
        final FerriteClient client = group.client();
        try
        {
            final long[] miss = new long[N / 2];
            final long[] jdbcRead = new long[N / 2];
            final long[] wtPut = new long[N / 2];
            final long[] jdbcUpsert = new long[N / 2];
            for (int i = 0; i < N / 2; i++)
            {
                long t = System.nanoTime();
                client.get(bytes("seed-" + i));
                miss[i] = System.nanoTime() - t;
                t = System.nanoTime();
                direct.load(bytes("seed-" + (N / 2 + i)));
                jdbcRead[i] = System.nanoTime() - t;
                t = System.nanoTime();
                client.put(bytes("wt-" + i), bytes("v" + i));
                wtPut[i] = System.nanoTime() - t;
                t = System.nanoTime();
                direct.storeAll(List.of(new DataStoreRecord(bytes("jd-" + i), bytes("v" + i), 10 + i)));
                jdbcUpsert[i] = System.nanoTime() - t;
            }
            report("read-through miss", miss);
            report("direct JDBC read", jdbcRead);
            report("write-through put", wtPut);
            report("direct JDBC upsert (1 row, commit)", jdbcUpsert);
            final double wtRate = pipelined(client, "wtp-", N, 64, N);
            final long t = System.nanoTime();
            for (int i = 0; i < N; i++)
            {
                direct.storeAll(List.of(new DataStoreRecord(bytes("jdp-" + i), bytes("v" + i), 10 + i)));
            }
            System.out.printf("DATASTORE_PERF throughput write-through pipelined(64)=%.0f/s direct-jdbc-sequential=" +
                "%.0f/s%n", wtRate, N / ((System.nanoTime() - t) / 1e9));
        }
        finally
        {
            CloseHelper.closeAll(client, group);
        }
    }

    private void writeBehind(final DataStoreGroup db, final JdbcDataStore direct) throws Exception
    {
        final TestGroupAccess group = TestGroupAccess.start(new File(dir, "behind"), 28000, db,
            new DataStorePolicyContext().writePolicy(DataStorePolicyContext.WritePolicy.WRITE_BEHIND)
                .writeDelayMs(100).pendingMaxEntries(1_000_000).conclude());
        final FerriteClient client = group.client();
        try
        {
            final long[] wbPut = new long[N / 2];
            final long[] jdbcUpsert = new long[N / 2];
            for (int i = 0; i < N / 2; i++)
            {
                long t = System.nanoTime();
                client.put(bytes("wb-" + (i % 100)), bytes("v" + i));
                wbPut[i] = System.nanoTime() - t;
                t = System.nanoTime();
                direct.storeAll(List.of(new DataStoreRecord(bytes("jdb-" + i), bytes("v" + i), 10 + i)));
                jdbcUpsert[i] = System.nanoTime() - t;
            }
            report("write-behind put (100 hot keys)", wbPut);
            report("direct JDBC upsert (1 row, commit)", jdbcUpsert);
            final double wbRate = pipelined(client, "wbp-", N, 64, N);
            group.awaitDrained(120_000);
            System.out.printf("DATASTORE_PERF throughput write-behind pipelined(64)=%.0f/s%n", wbRate);

            // coalescing: pipelined writes to 100 hot keys (write delay 100 ms); records the flushes wrote vs writes
            final long flushedBefore = group.counter("flushed-records");
            final int acked = 5 * N;
            final double hotRate = pipelined(client, "hot-", acked, 64, 100);
            group.awaitDrained(120_000);
            final long flushed = group.counter("flushed-records") - flushedBefore;
            System.out.printf("DATASTORE_PERF coalescing hot-keys=100 acked-writes=%d (%.0f/s) " +
                "database-records-written=%d saved=%.1f%%%n", acked, hotRate, flushed,
                100.0 * (acked - flushed) / acked);

            db.proxy().cut();
            final long cutNs = System.nanoTime();
            pipelined(client, "outage-", N, 64, N);
            DataStoreGroup.await("the outage backlog", 60_000, () -> group.counter("pending-entries") >= N);
            final long backlog = group.counter("pending-entries");
            db.proxy().restore();
            final long restoredNs = System.nanoTime();
            group.awaitDrained(120_000);
            System.out.printf("DATASTORE_PERF backlog entries=%d outage-ms=%d drain-ms=%d (%.0f records/s)%n",
                backlog, TimeUnit.NANOSECONDS.toMillis(restoredNs - cutNs),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restoredNs),
                backlog / ((System.nanoTime() - restoredNs) / 1e9));
        }
        finally
        {
            CloseHelper.closeAll(client, group);
        }
    }

    /**
     * {@code count} puts with {@code window} in flight, to keys {@code prefix + (i % keys)}; puts per second.
     */
    private static double pipelined(final FerriteClient client, final String prefix, final int count,
        final int window, final int keys) throws Exception
    {
        final long start = System.nanoTime();
        final List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            inFlight.add(client.putAsync(bytes(prefix + (i % keys)), bytes("v" + i)));
            if (inFlight.size() >= window)
            {
                inFlight.remove(0).get(30, TimeUnit.SECONDS);
            }
        }
        for (final CompletableFuture<?> f : inFlight)
        {
            f.get(30, TimeUnit.SECONDS);
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static void report(final String what, final long[] samples)
    {
        final long[] s = samples.clone();
        Arrays.sort(s);
        System.out.printf("DATASTORE_PERF latency %-40s n=%d p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus%n", what,
            s.length, s[s.length / 2] / 1e3, s[(int)(s.length * 0.9)] / 1e3, s[(int)(s.length * 0.99)] / 1e3,
            s[s.length - 1] / 1e3);
    }
}
