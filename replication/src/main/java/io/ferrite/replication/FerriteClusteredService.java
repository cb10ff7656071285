package io.ferrite.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.RequestLimits;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import io.ferrite.transport.NodeContext;
import io.ferrite.transport.ReadOnlyEndpoint;
import io.aeron.Counter;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

import java.util.concurrent.TimeUnit;

/**
 * The replicated state machine of one replica group: an engine store plus the write deduplication windows,
 * changed only by commands from the Raft log.
 * <p>
 * Deterministic by construction: TTLs run on the cluster's time (the timestamp of the log entry being applied),
 * nothing reads the wall clock, draws random numbers or does I/O, and the store is anonymous (its durable form
 * is the log and the snapshots). Reads that must not change replicated state use {@link FerriteStore#peek}.
 * <b>Note:</b> the callbacks run on the service container's thread; {@link #role()}, {@link #logPosition()} and
 * {@link #size()} may be read from any thread.
 */
public final class FerriteClusteredService implements ClusteredService
{
    /** Aeron counter type of the service's applied log position; its key is the group id (int). */
    public static final int APPLIED_POSITION_TYPE_ID = 7301;

    private final int group;
    private final ReplicaNodeContext ctx;
    private final RequestDeduplicator deduplicator = new RequestDeduplicator();
    private final ClusterCommandHandler handler;
    private final StoreSnapshot snapshot = new StoreSnapshot();
    private final PartitionService partitions;
    private Cluster cluster;
    private FerriteStore store;
    private Counter appliedPosition;
    private ReadOnlyEndpoint staleReads;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile long logPosition;
    private volatile long size;
    private volatile long requestsApplied;
    private volatile long snapshots;
    private volatile long lastSnapshotNs;
    private volatile long lastSnapshotEntries;
    private volatile long lastSnapshotBytes;

    FerriteClusteredService(final int group, final ReplicaNodeContext ctx)
    {
        this.group = group;
        this.ctx = ctx;
        this.handler = new ClusterCommandHandler(deduplicator, ctx.requestLimits(), ctx.termLength() / 8 - 1024);
        this.partitions = new PartitionService(
            group, ctx.partitionCount(), ctx.clusterGroupCount(), ctx.termLength() / 8 - 1024, deduplicator,
            this::clusterTimeMs);
    }

    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        store = FerriteStore.open(new StoreContext()
            .capacityBytes(ctx.storeCapacityBytes())
            .maxEntries(ctx.storeMaxEntries() > 0 ? ctx.storeMaxEntries() : -1)
            .policy(ctx.storePolicy())
            .clock(this::clusterTimeMs));
        handler.store(store, cluster.idleStrategy());
        partitions.onStart(store, cluster.idleStrategy());
        final UnsafeBuffer key = new UnsafeBuffer(new byte[4]);
        key.putInt(0, group);
        final String label = "Ferrite applied log position: group=" + group;
        appliedPosition = cluster.aeron().addCounter(
            APPLIED_POSITION_TYPE_ID, key, 0, 4, new UnsafeBuffer(label.getBytes(StandardCharsets.US_ASCII)), 0,
            label.length());
        if (null != snapshotImage)
        {
            partitions.loadSnapshot(snapshotImage, cluster.idleStrategy());
            StoreSnapshot.load(snapshotImage, store, deduplicator, cluster.idleStrategy());
        }
        size = store.size();
        final RequestLimits limits = ctx.requestLimits();
        staleReads = ReadOnlyEndpoint.create(new NodeContext()
            .channel("aeron:udp?endpoint=" +
                ctx.topology().endpoint(group, ctx.memberId(), GroupTopology.STALE_READ_PORT))
            .termLength(ctx.termLength())
            .maxKeyLength(limits.maxKeyLength())
            .maxValueLength(limits.maxValueLength())
            .maxMultiGetKeys(limits.maxMultiGetKeys())
            .eventLog(event -> { })
            .errorHandler(ctx.errorHandler()), cluster.aeron(), store);
    }

    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (!partitions.onMessage(session, buffer, offset, length))
        {
            handler.onMessage(session, buffer, offset, length);
        }
        requestsApplied = handler.requests();
        logPosition = header.position();
        appliedPosition.setRelease(logPosition);
        size = store.size();
    }

    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    /**
     * Between log entries, on the service thread: serve possibly-stale reads of this member's store (read-only,
     * so replicated state is never touched outside the log).
     */
    public int doBackgroundWork(final long nowNs)
    {
        return null == staleReads ? 0 : staleReads.doWork();
    }

    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final long start = System.nanoTime();
        partitions.takeSnapshot(snapshotPublication, cluster.idleStrategy());
        final long entries = snapshot.take(snapshotPublication, store, deduplicator, cluster.idleStrategy());
        lastSnapshotNs = System.nanoTime() - start;
        lastSnapshotEntries = entries;
        lastSnapshotBytes = snapshot.bytesWritten();
        snapshots++;
    }

    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
    }

    public void onTerminate(final Cluster cluster)
    {
        CloseHelper.quietClose(staleReads);
        CloseHelper.quietClose(appliedPosition);
        if (null != store)
        {
            store.close();
        }
    }

    /**
     * The cluster's time in milliseconds: the timestamp of the log entry being applied, the same on every member.
     */
    private long clusterTimeMs()
    {
        final TimeUnit unit = cluster.timeUnit();
        final long time = cluster.time();
        return null == unit ? time : unit.toMillis(time);
    }

    public int group()
    {
        return group;
    }

    public Cluster.Role role()
    {
        return role;
    }

    /**
     * Log position of the last command applied.
     */
    public long logPosition()
    {
        return logPosition;
    }

    /**
     * Keyed requests answered with a redirect because this group does not serve their partition.
     */
    public long redirects()
    {
        return partitions.redirects();
    }

    /**
     * Commands this member took from the log (valid or not); a volatile copy, so any thread may read it.
     */
    long requestsApplied()
    {
        return requestsApplied;
    }

    public long size()
    {
        return size;
    }

    public long snapshots()
    {
        return snapshots;
    }

    /**
     * How long the last snapshot blocked the service, in nanoseconds (measurement only; not replicated state).
     */
    public long lastSnapshotNs()
    {
        return lastSnapshotNs;
    }

    public long lastSnapshotEntries()
    {
        return lastSnapshotEntries;
    }

    /**
     * Size of the last snapshot's messages in bytes (measurement only).
     */
    public long lastSnapshotBytes()
    {
        return lastSnapshotBytes;
    }
}
