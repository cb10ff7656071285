package io.ferrite.replication;

import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.RecordingDescriptorConsumer;
import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.ClusterMembership;
import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.RecordingLog;
import io.aeron.cluster.client.ClusterEvent;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.Agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps each member's disk use bounded: asks for a snapshot when the leader's log has grown by
 * {@link ReplicaNodeContext#snapshotLogBytes()} since the last one (or, if set, when
 * {@link ReplicaNodeContext#snapshotIntervalMs()} has passed and the log has grown), and after every snapshot
 * purges the log segments and snapshot recordings older than the newest snapshot that is both older than the most
 * recent one and at least {@link ReplicaNodeContext#logRetentionMinMs()} old.
 * <p>
 * At least two snapshots and the retention age of log are kept, so a follower that restarts (or starts slowly)
 * within that time still finds the log it needs in the leader's archive. Log another member still needs is kept
 * too, within a bound: before purging, the agent asks its consensus module for the members' log positions (as this
 * member last heard them) and keeps log from the lowest, but never more than {@link #MAX_LAG_BYTES_PROP_NAME} bytes
 * before the snapshot rule's purge point; a member whose position is unknown counts as needing the whole bound. So a
 * member away across any number of snapshots can catch up by log replay as long as it is less than the bound
 * behind; one further behind must be re-seeded (Aeron Cluster's open-source edition has no snapshot transfer to
 * followers), and a warning says so. Runs outside the state machine on its own slow duty cycle (it does I/O).
 */
final class RetentionAgent implements Agent
{
    /**
     * The most log, in bytes before the snapshot rule's purge point, kept for members that have not caught up;
     * 0 keeps none (purge by snapshots and age only).
     */
    public static final String MAX_LAG_BYTES_PROP_NAME = "ferrite.replication.log.retention.max.lag.bytes";
    public static final long MAX_LAG_BYTES_DEFAULT = 512L * 1024 * 1024;

    private static final long PURGE_CHECK_MS = 1000;
    private static final long MEMBER_QUERY_INTERVAL_MS = 5000;
    private static final long MEMBER_QUERY_TIMEOUT_MS = 2000;
    private static final long UNKNOWN_POSITION = Long.MIN_VALUE;
    private static final RecordingDescriptorConsumer NO_OP_DESCRIPTOR_CONSUMER =
        (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition, stopPosition,
        initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
        originalChannel, sourceIdentity) ->
        {
        };

    private final List<Tracker> trackers = new ArrayList<>();
    private final ReplicaNodeContext ctx;
    private final AeronArchive.Context archiveCtx;
    private final int segmentFileLength;
    private final ErrorHandler errorHandler;
    private final long maxLagBytes = Long.getLong(MAX_LAG_BYTES_PROP_NAME, MAX_LAG_BYTES_DEFAULT);
    private AeronArchive archive;

    RetentionAgent(
        final ReplicaNodeContext ctx,
        final List<GroupMember> members,
        final AeronArchive.Context archiveCtx,
        final int segmentFileLength)
    {
        this.ctx = ctx;
        this.archiveCtx = archiveCtx;
        this.segmentFileLength = segmentFileLength;
        this.errorHandler = ctx.errorHandler();
        for (final GroupMember member : members)
        {
            trackers.add(new Tracker(member));
        }
    }

    public String roleName()
    {
        return "ferrite-retention";
    }

    public int doWork()
    {
        int work = 0;
        for (final Tracker tracker : trackers)
        {
            final FerriteClusteredService service = tracker.member.service();
            final long grown = service.logPosition() - tracker.lastTriggerPosition;
            final long nowMs = System.currentTimeMillis();
            final boolean bySize = ctx.snapshotLogBytes() > 0 && grown >= ctx.snapshotLogBytes();
            final boolean byTime = ctx.snapshotIntervalMs() > 0 && grown > 0 &&
                nowMs - tracker.lastTriggerMs >= ctx.snapshotIntervalMs();
            if (Cluster.Role.LEADER == service.role() && (bySize || byTime) && tracker.member.requestSnapshot())
            {
                tracker.lastTriggerPosition = service.logPosition();
                tracker.lastTriggerMs = nowMs;
                work++;
            }
            if (service.snapshots() != tracker.snapshotsSeen || nowMs - tracker.lastPurgeCheckMs >= PURGE_CHECK_MS)
            {
                tracker.snapshotsSeen = service.snapshots();
                tracker.lastPurgeCheckMs = nowMs;
                try
                {
                    work += purge(tracker);
                }
                catch (final RuntimeException ex)
                {
                    errorHandler.onError(ex);
                }
            }
        }
        return work;
    }

    public void onClose()
    {
        CloseHelper.quietClose(archive);
    }

    private int purge(final Tracker tracker)
    {
        final List<RecordingLog.Entry> snapshots = new ArrayList<>();
        final long logRecordingId;
        try (RecordingLog log = new RecordingLog(tracker.member.clusterDir(), false))
        {
            for (final RecordingLog.Entry entry : log.entries())
            {
                if (entry.isValid && RecordingLog.ENTRY_TYPE_SNAPSHOT == entry.type)
                {
                    snapshots.add(entry);
                }
            }
            logRecordingId = log.findLastTermRecordingId();
        }
        final List<RecordingLog.Entry> service = new ArrayList<>();
        for (final RecordingLog.Entry entry : snapshots)
        {
            if (ClusteredServiceContainer.Configuration.serviceId() == entry.serviceId)
            {
                service.add(entry);
            }
        }
        service.sort((a, b) -> Long.compare(a.logPosition, b.logPosition));
        final long oldEnough = System.currentTimeMillis() - ctx.logRetentionMinMs();
        long keepFrom = -1;
        for (int i = 0; i < service.size() - 1; i++)
        {
            if (service.get(i).timestamp <= oldEnough)
            {
                keepFrom = service.get(i).logPosition;
            }
        }
        if (keepFrom <= 0 || logRecordingId < 0)
        {
            return 0;
        }
        final AeronArchive archive = archive();
        final long start = archive.getStartPosition(logRecordingId);
        long keepLogFrom = keepFrom;
        if (AeronArchive.segmentFileBasePosition(start, keepFrom, ctx.termLength(), segmentFileLength) > start)
        {
            keepLogFrom = keptForMembers(tracker, keepFrom);
        }
        int purged = 0;
        for (final RecordingLog.Entry entry : snapshots)
        {
            // snapshots older than the purge point are never needed: a lagging member replays log, not snapshots
            if (entry.logPosition < keepFrom && tracker.purgedSnapshots.add(entry.recordingId) &&
                archive.listRecording(entry.recordingId, NO_OP_DESCRIPTOR_CONSUMER) > 0)
            {
                archive.purgeRecording(entry.recordingId);
                purged++;
            }
        }
        final long newStart = AeronArchive.segmentFileBasePosition(
            start, Math.max(start, keepLogFrom), ctx.termLength(), segmentFileLength);
        if (newStart > start)
        {
            archive.purgeSegments(logRecordingId, newStart);
            purged++;
        }
        return purged;
    }

    /**
     * Lower {@code keepFrom} to the lowest log position another member is known to have, within the lag bound.
     */
    private long keptForMembers(final Tracker tracker, final long keepFrom)
    {
        if (maxLagBytes <= 0)
        {
            return keepFrom;
        }
        final long floor = memberFloor(tracker);
        final long bound = keepFrom - maxLagBytes;
        if (floor < bound && UNKNOWN_POSITION != floor && tracker.warnedFloor != floor)
        {
            tracker.warnedFloor = floor;
            errorHandler.onError(new ClusterEvent("group " + tracker.member.group() + ": a member is at log " +
                "position " + floor + ", more than " + maxLagBytes + " bytes behind what retention keeps; log " +
                "it needs is purged and it must be re-seeded from a snapshot (see README, log retention)"));
        }
        return Math.min(keepFrom, Math.max(floor, bound));
    }

    /**
     * The lowest log position of the other members as this member's consensus module last heard them
     * ({@link #UNKNOWN_POSITION} if any is unknown or the query fails), asked at most every few seconds.
     */
    private long memberFloor(final Tracker tracker)
    {
        final long nowMs = System.currentTimeMillis();
        if (nowMs - tracker.lastMemberQueryMs < MEMBER_QUERY_INTERVAL_MS)
        {
            return tracker.memberFloor;
        }
        tracker.lastMemberQueryMs = nowMs;
        long floor = UNKNOWN_POSITION;
        try
        {
            final ClusterMembership membership = new ClusterMembership();
            if (ClusterTool.listMembers(membership, tracker.member.clusterDir(), MEMBER_QUERY_TIMEOUT_MS) &&
                null != membership.activeMembers)
            {
                floor = Long.MAX_VALUE;
                for (final ClusterMember member : membership.activeMembers)
                {
                    if (member.id() != membership.memberId)
                    {
                        floor = Math.min(floor, member.logPosition() < 0 ? UNKNOWN_POSITION : member.logPosition());
                    }
                }
            }
        }
        catch (final RuntimeException ex)
        {
            floor = UNKNOWN_POSITION;
        }
        tracker.memberFloor = floor;
        return floor;
    }

    private AeronArchive archive()
    {
        if (null == archive)
        {
            archive = AeronArchive.connect(archiveCtx.clone());
        }
        return archive;
    }

    private static final class Tracker
    {
        final GroupMember member;
        final LongHashSet purgedSnapshots = new LongHashSet();
        long lastTriggerPosition;
        long lastTriggerMs = System.currentTimeMillis();
        long lastPurgeCheckMs;
        long snapshotsSeen;
        long lastMemberQueryMs;
        long memberFloor = UNKNOWN_POSITION;
        long warnedFloor = UNKNOWN_POSITION;

        Tracker(final GroupMember member)
        {
            this.member = member;
        }
    }
}
