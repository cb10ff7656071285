package io.ferrite.bench.latency;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.ReplicationConfiguration;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A 3-member Ferrite replica group (Aeron Cluster), each member its own child JVM ({@link MemberMain}) on this
 * machine, driven through one {@link FerriteClient}: PUTs are acknowledged once a majority has them, GETs go
 * through the log (linearizable). Replication defaults otherwise.
 */
final class ReplicatedTarget implements LoadTarget
{
    private static final int MEMBERS = 3;

    private final int portBase;
    private final long capacityBytes;
    private final File logDir;
    private final File dataDir;
    private final List<String> childFlags;
    private final List<ChildJvm> members = new ArrayList<>();
    private Workload workload;
    private CompletionListener listener;
    private FerriteClient client;

    ReplicatedTarget(
        final int portBase,
        final long capacityBytes,
        final File logDir,
        final File dataDir,
        final List<String> childFlags)
    {
        this.portBase = portBase;
        this.capacityBytes = capacityBytes;
        this.logDir = logDir;
        this.dataDir = dataDir;
        this.childFlags = childFlags;
    }

    public String name()
    {
        return "replicated";
    }

    public String description()
    {
        return "Ferrite replica group of 3 members, each a child JVM (" + String.join(" ", childFlags) + ") with " +
            "one media driver + archive (both SHARED threading), a consensus module and a clustered service; all " +
            "BackoffIdleStrategy(spin 10, yield 20, park 1 us up to " +
            TimeUnit.NANOSECONDS.toMicros(ReplicationConfiguration.maxParkNs()) + " us); archive and cluster files " +
            "in a temporary directory (deleted at the end); UDP on 127.0.0.1, ports from " + portBase + ". Client: " +
            "FerriteClient (group seed) with an embedded media driver (SHARED, backoff park <= 100 us) and the " +
            "Aeron client on their own threads; " +
            "blocking calls poll on the caller's thread (backoff park <= 100 us), async requests are completed by " +
            "the client's background poller (backoff park <= 100 us). PUT = write through the Raft log (majority " +
            "ack), GET = linearizable read through the log.";
    }

    public long[] serverPids()
    {
        final long[] pids = new long[members.size()];
        for (int i = 0; i < pids.length; i++)
        {
            pids[i] = members.get(i).pid();
        }
        return pids;
    }

    public void start(final Workload workload, final CompletionListener listener) throws Exception
    {
        this.workload = workload;
        this.listener = listener;
        for (int m = 0; m < MEMBERS; m++)
        {
            final List<String> args = new ArrayList<>();
            args.add(Integer.toString(m));
            args.add(Integer.toString(portBase));
            args.add(new File(dataDir, "member-" + m).getPath());
            args.add(Long.toString(capacityBytes));
            members.add(ChildJvm.start("ferrite-member-" + m, logDir, childFlags, MemberMain.class.getName(), args,
                MemberMain.READY, 60_000));
        }
        final String ingress = GroupTopology.local(MEMBERS, portBase).ingressEndpoints(0);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (null == client)
        {
            try
            {
                client = FerriteClient.connect(new ClientContext().group(ingress));
            }
            catch (final RuntimeException ex)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw ex;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }
    }

    public void preload()
    {
        final int batch = 128;
        final List<CompletableFuture<?>> futures = new ArrayList<>(batch);
        for (int i = 0; i < workload.keyCount(); i++)
        {
            futures.add(client.putAsync(workload.key(i), workload.value()));
            if (futures.size() == batch || i == workload.keyCount() - 1)
            {
                for (final CompletableFuture<?> future : futures)
                {
                    future.join();
                }
                futures.clear();
            }
        }
    }

    public void send(final int op, final int key, final long tagNs)
    {
        final CompletableFuture<?> future = GET == op ?
            client.getAsync(workload.key(key)) :
            client.putAsync(workload.key(key), workload.value());
        future.whenComplete((result, error) -> listener.onComplete(op, tagNs, FerriteTarget.status(result, error)));
    }

    public int call(final int op, final int key)
    {
        try
        {
            if (GET == op)
            {
                return null == client.get(workload.key(key)) ? CompletionListener.MISS : CompletionListener.OK;
            }
            client.put(workload.key(key), workload.value());
            return CompletionListener.OK;
        }
        catch (final RuntimeException ex)
        {
            return CompletionListener.ERROR;
        }
    }

    public String state()
    {
        return "leader: member " + (null == client ? -1 : client.leaderMemberId());
    }

    public void cleanup()
    {
    }

    /**
     * Stops the followers before the leader, so a "leader heartbeat timeout" in a member's log means the members
     * lost the leader during the run, not at shutdown.
     */
    public void close()
    {
        final int leader = null == client ? -1 : client.leaderMemberId();
        CloseHelper.quietClose(client);
        client = null;
        for (int m = 0; m < members.size(); m++)
        {
            if (m != leader)
            {
                members.get(m).close();
            }
        }
        if (leader >= 0 && leader < members.size())
        {
            members.get(leader).close();
        }
        members.clear();
        IoUtil.delete(dataDir, true);
    }
}
