package io.ferrite.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.RequestLimits;
import io.ferrite.codec.sbe.GroupSettingsDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.engine.FerriteStore;
import io.ferrite.replication.datastore.DataStorePolicy;
import io.ferrite.replication.datastore.DataStorePolicyContext;
import io.ferrite.replication.datastore.PendingWritesSnapshot;
import io.ferrite.engine.StoreContext;
import io.ferrite.transport.HopRecorder;
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
 * nothing that changes state reads the wall clock (only the side-effect-free stale reads check expiry against it),
 * draws random numbers or does I/O, and the store is anonymous (its durable form
 * is the log and the snapshots). Reads that must not change replicated state use {@link FerriteStore#peek}.
 * <b>Note:</b> the callbacks run on the service container's thread; {@link #role()}, {@link #logPosition()} and
 * {@link #size()} may be read from any thread.
 */
public final class FerriteClusteredService implements ClusteredService
{
    /** Aeron counter type of the service's applied log position; its key is the group id (int). */
    public static final int APPLIED_POSITION_TYPE_ID = 7301;
    /** Correlation id of the cluster timer that closes idle sessions when a group is nearly full. */
    static final long SESSION_REAPER_TIMER_ID = 0x5E55_1D1E_0000_0001L;

    private final int group;
    private final ReplicaNodeContext ctx;
    private final RequestDeduplicator deduplicator;
    private final ClusterCommandHandler handler;
    private final StoreSnapshot snapshot = new StoreSnapshot();
    private final PartitionService partitions;
    private final SessionReaper sessionReaper;
    private final PendingWritesSnapshot pendingSnapshot = new PendingWritesSnapshot();
    private final DataStorePolicy datastore;
    private final AccessControl access;
    private Cluster cluster;
    private FerriteStore store;
    private Counter appliedPosition;
    private ReadOnlyEndpoint staleReads;
    private boolean servingStaleReads;
    private final MessageHeaderDecoder settingsHeader = new MessageHeaderDecoder();
    private final GroupSettingsDecoder settingsDecoder = new GroupSettingsDecoder();
    private final UnsafeBuffer settingsBuffer = new UnsafeBuffer(new byte[1024]);
    private GroupSettings ownSettings;
    private GroupSettings groupSettings;
    private boolean announceSettings;
    private Runnable onRefused;
    private volatile String refusal;
    private StoreDigestPublisher digest;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile long logPosition;
    private volatile long size;
    private volatile long requestsApplied;
    private volatile long snapshots;
    private volatile long lastSnapshotNs;
    private volatile long lastSnapshotEntries;
    private volatile long lastSnapshotBytes;
    private final HopRecorder hops;

    FerriteClusteredService(final int group, final ReplicaNodeContext ctx)
    {
        this.group = group;
        this.ctx = ctx;
        this.deduplicator = new RequestDeduplicator(ctx.dedupMaxClients());
        this.sessionReaper = new SessionReaper(ctx.maxSessions(), ctx.sessionIdleTimeoutMs());
        this.handler = new ClusterCommandHandler(
            deduplicator, ctx.requestLimits(), ctx.termLength() / 8 - 1024, ctx.partitionCount());
        this.partitions = new PartitionService(
            group, ctx.partitionCount(), ctx.clusterGroupCount(), ctx.termLength() / 8 - 1024, deduplicator,
            this::clusterTimeMs);
        final DataStorePolicyContext policy = ctx.dataStorePolicy();
        this.datastore = policy.enabled() ?
            new DataStorePolicy(policy, ctx.dataStoreFactory().apply(group), group,
                (aeron) -> DataStoreSession.context(ctx, group, aeron)) : null;
        handler.datastore(datastore);
        if (null != datastore)
        {
            datastore.mapEpoch(partitions::mapEpoch);
            datastore.partitions(partitions.guard());
        }
        this.access = new AccessControl(group, ctx.errorHandler());
        this.hops = HopRecorder.forMember(group, ctx.memberId());
    }

    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        store = FerriteStore.open(new StoreContext()
            .capacityBytes(ctx.storeCapacityBytes())
            .maxEntries(ctx.storeMaxEntries() > 0 ? ctx.storeMaxEntries() : -1)
            .policy(ctx.storePolicy())
            .clock(this::storeTimeMs));
        handler.store(store, cluster.idleStrategy(), (sessionId) -> null != cluster.getClientSession(sessionId));
        access.onStart(cluster, cluster.aeron());
        partitions.onStart(store, cluster.idleStrategy());
        final UnsafeBuffer key = new UnsafeBuffer(new byte[4]);
        key.putInt(0, group);
        final String label = "Ferrite applied log position: group=" + group;
        appliedPosition = cluster.aeron().addCounter(
            APPLIED_POSITION_TYPE_ID, key, 0, 4, new UnsafeBuffer(label.getBytes(StandardCharsets.US_ASCII)), 0,
            label.length());
        if (null != datastore)
        {
            datastore.onStart(cluster, store, deduplicator::record);
        }
        if (null != snapshotImage)
        {
            if (null != datastore)
            {
                PendingWritesSnapshot.load(snapshotImage, datastore, cluster.idleStrategy());
            }
            partitions.loadSnapshot(snapshotImage, cluster.idleStrategy());
            StoreSnapshot.load(snapshotImage, store, deduplicator, (settings) -> groupSettings = settings,
                cluster.idleStrategy(), clusterDir());
        }
        size = store.size();
        for (final ClientSession session : cluster.clientSessions())
        {
            sessionReaper.onOpen(session.id(), clusterTimeMs());
        }
        final RequestLimits limits = ctx.requestLimits();
        ownSettings = GroupSettings.of(store, limits, ctx.dedupMaxClients());
        if (null != groupSettings)
        {
            checkSettings();
        }
        digest = new StoreDigestPublisher(cluster.aeron(), group, ctx.memberId());
        staleReads = ReadOnlyEndpoint.create(new NodeContext()
            .channel("aeron:udp?endpoint=" +
                ctx.topology().endpoint(group, ctx.memberId(), GroupTopology.STALE_READ_PORT))
            .termLength(ctx.termLength())
            .maxKeyLength(limits.maxKeyLength())
            .maxValueLength(limits.maxValueLength())
            .maxMultiGetKeys(limits.maxMultiGetKeys())
            .credentialsVerifier(ctx.credentialsVerifier())
            .eventLog(event -> { })
            .errorHandler(ctx.errorHandler()), cluster.aeron(), store);
    }

    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        announceSettings();
        sessionReaper.onOpen(session.id(), toMs(timestamp));
        if (sessionReaper.isNearlyFull())
        {
            scheduleSessionReaper(timestamp);
        }
    }

    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        sessionReaper.onClose(session.id());
    }

    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (null != refusal)
        {
            return;
        }
        hops.begin(timestamp, cluster.timeUnit(), Cluster.Role.LEADER == role, buffer, offset, length);
        announceSettings();
        if (null == session && isGroupSettings(buffer, offset, length))
        {
            onGroupSettings(buffer, offset, length);
        }
        else
        {
            if (null != datastore)
            {
                datastore.onLogMessage(header.position(), clusterTimeMs());
            }
            final boolean permitted = null == session || access.permits(session, buffer, offset, length, handler);
            if (permitted && !partitions.onMessage(session, buffer, offset, length) &&
                (null == datastore || !datastore.onOutcome(buffer, offset, length)))
            {
                handler.onMessage(session, buffer, offset, length);
            }
            if (null != datastore)
            {
                datastore.onLogCallback();
            }
        }
        if (null != session)
        {
            sessionReaper.onMessage(session.id(), toMs(timestamp));
        }
        hops.end();
        requestsApplied = handler.requests();
        logPosition = header.position();
        appliedPosition.setRelease(logPosition);
        size = store.size();
        if (null != digest)
        {
            digest.onApplied(store, logPosition);
        }
    }

    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        if (SESSION_REAPER_TIMER_ID == correlationId)
        {
            final long sessionId = sessionReaper.sessionToClose(toMs(timestamp));
            if (Long.MIN_VALUE != sessionId)
            {
                cluster.closeClientSession(sessionId);
            }
            if (sessionReaper.isNearlyFull())
            {
                scheduleSessionReaper(timestamp);
            }
        }
    }

    private void scheduleSessionReaper(final long timestamp)
    {
        final long tickMs = Math.max(100, Math.min(1000, ctx.sessionIdleTimeoutMs() / 2));
        final TimeUnit unit = cluster.timeUnit();
        cluster.scheduleTimer(SESSION_REAPER_TIMER_ID, timestamp + (null == unit ? tickMs : unit.convert(tickMs,
            TimeUnit.MILLISECONDS)));
    }

    private long toMs(final long clusterTime)
    {
        final TimeUnit unit = cluster.timeUnit();
        return null == unit ? clusterTime : unit.toMillis(clusterTime);
    }

    /**
     * Between log entries, on the service thread: serve possibly-stale reads of this member's store (read-only,
     * so replicated state is never touched outside the log).
     */
    public int doBackgroundWork(final long nowNs)
    {
        int work = 0;
        if (null != staleReads && null == refusal)
        {
            servingStaleReads = true;
            try
            {
                work += staleReads.doWork();
            }
            finally
            {
                servingStaleReads = false;
            }
        }
        return work + (null == datastore || null != refusal ? 0 : datastore.doWork(nowNs)) +
            (null == digest ? 0 : digest.doWork(store, logPosition, nowNs));
    }

    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final TimeUnit timeUnit,
        final int appVersion)
    {
        if (null != datastore)
        {
            if (Cluster.Role.LEADER == cluster.role())
            {
                // not during log replay, where old terms name this member as their leader
                datastore.onRoleChange(Cluster.Role.LEADER);
            }
            datastore.onLogCallback();
        }
    }

    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final long start = System.nanoTime();
        if (null != datastore)
        {
            pendingSnapshot.take(snapshotPublication, datastore, cluster.logPosition(), cluster.idleStrategy());
        }
        partitions.takeSnapshot(snapshotPublication, cluster.idleStrategy());
        final long entries = snapshot.take(snapshotPublication, store, deduplicator, groupSettings,
            cluster.idleStrategy(), clusterDir(), cluster.logPosition());
        lastSnapshotNs = System.nanoTime() - start;
        lastSnapshotEntries = entries;
        lastSnapshotBytes = snapshot.bytesWritten();
        snapshots++;
    }

    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
        announceSettings = Cluster.Role.LEADER == newRole;
        if (WriteTrace.ENABLED && Cluster.Role.LEADER == newRole)
        {
            WriteTrace.becameLeader(logPosition);
        }
        if (null != datastore)
        {
            datastore.onRoleChange(newRole);
        }
    }

    /**
     * A new leader sends its settings into the log once, from the first log callback after its election (Aeron
     * allows a service to send messages only from log callbacks).
     */
    private void announceSettings()
    {
        if (announceSettings && Cluster.Role.LEADER == role && null != ownSettings)
        {
            try
            {
                if (cluster.offer(settingsBuffer, 0, ownSettings.encode(settingsBuffer, 0)) > 0)
                {
                    announceSettings = false;
                }
            }
            catch (final RuntimeException ex)
            {
                announceSettings = false;
                ctx.errorHandler().onError(ex);
            }
        }
    }

    private static boolean isGroupSettings(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= MessageHeaderDecoder.ENCODED_LENGTH &&
            GroupSettingsDecoder.TEMPLATE_ID == buffer.getShort(offset + 2, MessageHeaderDecoder.BYTE_ORDER) &&
            MessageHeaderDecoder.SCHEMA_ID == buffer.getShort(offset + 4, MessageHeaderDecoder.BYTE_ORDER);
    }

    /**
     * A leader's settings, sequenced through the log: the first ones seen become the group's (replicated, in
     * snapshots); a member whose own settings differ from the group's refuses to take part.
     */
    private void onGroupSettings(final DirectBuffer buffer, final int offset, final int length)
    {
        if (Cluster.Role.LEADER != role)
        {
            // Aeron numbers service messages per member and drops a new leader's offers whose number the log has
            // already seen: a follower offers each service message it applies (dropped as already sequenced) so
            // its numbering keeps up.
            cluster.offer(buffer, offset, length);
        }
        settingsHeader.wrap(buffer, offset);
        settingsDecoder.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, settingsHeader.blockLength(),
            settingsHeader.version());
        final GroupSettings announced = GroupSettings.decode(settingsDecoder);
        if (null == groupSettings)
        {
            groupSettings = announced;
        }
        checkSettings();
    }

    private void checkSettings()
    {
        if (!ownSettings.equals(groupSettings))
        {
            refusal = "member " + ctx.memberId() + " refuses to take part in group " + group +
                ": its settings differ from the group's: " + ownSettings.differences(groupSettings);
            ctx.errorHandler().onError(new ReplicationException(refusal));
            if (null != onRefused)
            {
                onRefused.run();
            }
        }
    }

    /**
     * Why this member refused to take part in its group (settings that differ), or null.
     */
    public String refusal()
    {
        return refusal;
    }

    /**
     * Called on the service thread when this member refuses its group; the owner should close the member.
     */
    void onRefused(final Runnable onRefused)
    {
        this.onRefused = onRefused;
    }

    private java.io.File clusterDir()
    {
        return cluster.context().clusterDir();
    }

    public void onTerminate(final Cluster cluster)
    {
        CloseHelper.quietClose(staleReads);
        CloseHelper.quietClose(datastore);
        CloseHelper.quietClose(digest);
        CloseHelper.quietClose(appliedPosition);
        CloseHelper.quietClose(access);
        hops.close();
        if (null != store)
        {
            store.close();
        }
    }

    /**
     * The store's clock: the cluster's time while applying the log (deterministic), and the later of the cluster's
     * time and this host's wall clock while serving possibly-stale reads. Cluster time moves only with log entries, so
     * an idle group or an isolated member would otherwise serve entries past their TTL; stale reads use
     * {@link FerriteStore#peekView}, which changes nothing, so the wall clock never reaches replicated state.
     */
    private long storeTimeMs()
    {
        final long clusterTimeMs = clusterTimeMs();
        return servingStaleReads ? Math.max(clusterTimeMs, System.currentTimeMillis()) : clusterTimeMs;
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
