package io.ferrite.replication;

import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.RecordingDescriptorConsumer;
import io.aeron.cluster.RecordingLog;
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
 * within that time still finds the log it needs in the leader's archive; a member away for longer must be
 * re-seeded (Aeron Cluster's open-source edition has no snapshot transfer to followers). Runs outside the state
 * machine on its own slow duty cycle (it does I/O).
 */
final class RetentionAgent implements Agent
{
    private static final long PURGE_CHECK_MS = 1000;
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
        int purged = 0;
        for (final RecordingLog.Entry entry : snapshots)
        {
            if (entry.logPosition < keepFrom && tracker.purgedSnapshots.add(entry.recordingId) &&
                archive.listRecording(entry.recordingId, NO_OP_DESCRIPTOR_CONSUMER) > 0)
            {
                archive.purgeRecording(entry.recordingId);
                purged++;
            }
        }
        final long start = archive.getStartPosition(logRecordingId);
        final long newStart = AeronArchive.segmentFileBasePosition(
            start, keepFrom, ctx.termLength(), segmentFileLength);
        if (newStart > start)
        {
            archive.purgeSegments(logRecordingId, newStart);
            purged++;
        }
        return purged;
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

        Tracker(final GroupMember member)
        {
            this.member = member;
        }
    }
}
