package io.ferrite.replication.perf;

import io.ferrite.client.FerriteException;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.MemberProcess;
import io.ferrite.replication.ReplicationConfiguration;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures failover: SIGKILL the leader of a 3-member group (member JVMs on this machine) under a steady
 * synchronous write load and time from the kill to the first acknowledged write on the new leader. Not part of
 * the default suite (tag "perf"); run with {@code -Dferrite.excluded.groups=none -Dgroups=perf}.
 */
@Tag("perf")
class FailoverMeasurement
{
    private static final int TRIALS = Integer.getInteger("ferrite.failover.trials", 5);

    @TempDir
    File tempDir;

    @Test
    @Timeout(600)
    void measureFailoverWithFerriteDefaults()
    {
        run("ferrite-defaults", 31000, TRIALS, new String[0]);
    }

    @Test
    @Timeout(600)
    void measureFailoverWithAeronDefaults()
    {
        run("aeron-defaults", 10000, 1, new String[]{
            ReplicationConfiguration.LEADER_HEARTBEAT_TIMEOUT_PROP_NAME, "10000",
            ReplicationConfiguration.LEADER_HEARTBEAT_INTERVAL_PROP_NAME, "200",
            ReplicationConfiguration.ELECTION_TIMEOUT_PROP_NAME, "1000" });
    }

    private void run(final String name, final int portBase, final int trials, final String[] properties)
    {
        final GroupTopology topology = GroupTopology.local(3, portBase);
        final MemberProcess[] members = new MemberProcess[3];
        final List<AutoCloseable> closeables = new ArrayList<>();
        try
        {
            for (int m = 0; m < 3; m++)
            {
                members[m] = new MemberProcess(m, topology, new File(tempDir, name + "-member-" + m), 0);
                for (int p = 0; p < properties.length; p += 2)
                {
                    members[m].property(properties[p], properties[p + 1]);
                }
                closeables.add(members[m]);
                members[m].start(true, 60_000);
            }
            final FerriteClient client = FerriteClient.connect(new ClientContext()
                .group(topology.ingressEndpoints(0))
                .requestTimeoutNs(TimeUnit.SECONDS.toNanos(30)));
            closeables.add(client);
            final long[] millis = new long[trials];
            for (int t = 0; t < trials; t++)
            {
                writeFor(client, 500);
                final int leader = client.leaderMemberId();
                final long killNs = System.nanoTime();
                members[leader].kill();
                firstAck(client);
                millis[t] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killNs);
                System.out.println("FAILOVER " + name + " trial=" + t + " killed=" + leader + " new=" +
                    client.leaderMemberId() + " ms=" + millis[t]);
                members[leader].start(false, 60_000);
            }
            Arrays.sort(millis);
            System.out.println("FAILOVER-SUMMARY " + name + " trials=" + trials + " min=" + millis[0] +
                " median=" + millis[trials / 2] + " max=" + millis[trials - 1] + " all=" + Arrays.toString(millis));
        }
        finally
        {
            for (int i = closeables.size() - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(closeables.get(i));
            }
        }
    }

    private static void writeFor(final FerriteClient client, final long ms)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long i = 0;
        while (System.nanoTime() < end)
        {
            client.put(("k" + (i++ % 100)).getBytes(StandardCharsets.UTF_8), new byte[100]);
        }
    }

    private static void firstAck(final FerriteClient client)
    {
        while (true)
        {
            try
            {
                client.put("failover-probe".getBytes(StandardCharsets.UTF_8), new byte[100]);
                return;
            }
            catch (final FerriteException ignore)
            {
                // no leader yet: the put timed out; try again
            }
        }
    }
}
