package io.ferrite.replication;

import io.ferrite.codec.sbe.MigrationAction;
import io.ferrite.codec.sbe.MoveState;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Carries out the rebalance plan recorded in group 0, one move at a time, outside every group's state machine:
 * <ol>
 *   <li>the target prepares to receive the partition (dropping any partial copy), the source queues every key of
 *       it and from then on queues each key written again;</li>
 *   <li>batches are drained from the source and applied to the target, throttled to a byte rate, until what is
 *       left fits one batch;</li>
 *   <li>cut-over: the source freezes the partition (its requests are answered "migrating, retry"), the last keys
 *       are copied, then the source's deduplication outcomes of the partition (so a write the source applied and a
 *       client resends to the target is answered, not applied again), group 0 gives the partition to the target with
 *       a new map epoch, the target owns it, the source drops its copy and redirects to the target from then on.</li>
 * </ol>
 * Progress is recorded in group 0, so {@code status} works from any machine, and a mover started after another
 * died resumes the plan: a move that had not reached the cut-over is copied again from the start (the target's
 * partial copy is dropped first); one that had is finished. <b>Note:</b> not thread-safe; one thread.
 */
public final class PartitionMover
{
    /** Throttle of a move unless set: 16 MiB/s of keys and values. */
    public static final long DEFAULT_BYTES_PER_SECOND = 16L * 1024 * 1024;

    private static final long PROGRESS_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int OUTCOME_BYTES = 20;

    private final ClusterAdmin admin;
    private final long bytesPerSecond;
    private final int batchEntries;
    private final int batchBytes;
    private final ProgressListener listener;
    private volatile boolean stopped;

    /**
     * Receives a move's progress, on the mover's thread.
     */
    public interface ProgressListener
    {
        /**
         * @param move    the move, with entries and bytes copied so far.
         * @param queued  keys still queued at the source.
         * @param elapsedNs since the copy of this move began.
         */
        void onProgress(MoveStatus move, long queued, long elapsedNs);

        /**
         * @param move    the finished move.
         * @param pauseNs how long the partition was frozen (requests answered "retry"), or -1 if this mover did not
         *                freeze it (a resumed cut-over).
         */
        void onDone(MoveStatus move, long pauseNs);

        /**
         * The move's partition was given to its target in the map (the source is frozen); the target is told next.
         */
        default void onCutover(final MoveStatus move)
        {
        }
    }

    /**
     * @param bytesPerSecond throttle of the copy (0: as fast as the groups answer).
     * @param batchEntries   most entries per batch.
     * @param batchBytes     about how many bytes per batch.
     */
    public PartitionMover(
        final ClusterAdmin admin, final long bytesPerSecond, final int batchEntries, final int batchBytes,
        final ProgressListener listener)
    {
        if (bytesPerSecond < 0 || batchEntries < 1 || batchBytes < 1)
        {
            throw new IllegalArgumentException("need bytesPerSecond >= 0, batchEntries >= 1, batchBytes >= 1");
        }
        this.admin = admin;
        this.bytesPerSecond = bytesPerSecond;
        this.batchEntries = batchEntries;
        this.batchBytes = batchBytes;
        this.listener = listener;
    }

    /**
     * Ask a running {@link #apply()} to stop after the current batch (the plan stays resumable).
     */
    public void stop()
    {
        stopped = true;
    }

    /**
     * Run every unfinished move of the recorded plan, resuming where it stands.
     *
     * @return the plan's status at the end.
     */
    public PlanStatus apply()
    {
        PlanStatus plan = admin.planStatus();
        MoveStatus move;
        while (!stopped && null != (move = plan.running()))
        {
            run(plan.planId(), move);
            plan = admin.planStatus();
        }
        return plan;
    }

    /**
     * Cancel the plan: the running move is undone at both groups (unless it reached its cut-over, which is
     * finished instead) and the moves not started are marked cancelled.
     */
    public PlanStatus cancel()
    {
        final PlanStatus plan = admin.planStatus();
        final MoveStatus move = plan.running();
        if (null == move)
        {
            return plan;
        }
        if (MoveState.CUTOVER.name().equals(move.state()))
        {
            run(plan.planId(), move);
        }
        else if (MoveState.COPYING.name().equals(move.state()))
        {
            admin.control(move.fromGroup(), move.partition(), MigrationAction.ABORT_SOURCE, move.toGroup(), 0);
            admin.control(move.toGroup(), move.partition(), MigrationAction.ABORT_TARGET, move.fromGroup(), 0);
        }
        admin.progress(plan.planId(), -1, MoveState.CANCELLED, 0, 0, 0);
        return admin.planStatus();
    }

    private void run(final long planId, final MoveStatus move)
    {
        final int p = move.partition();
        final int from = move.fromGroup();
        final int to = move.toGroup();
        long entries = move.entries();
        long bytes = move.bytes();
        long epoch = move.mapEpoch();
        long frozenAt = -1;
        if (!MoveState.CUTOVER.name().equals(move.state()))
        {
            admin.control(to, p, MigrationAction.PREPARE_TARGET, from, 0);
            long queued = admin.control(from, p, MigrationAction.BEGIN_SOURCE, to, 0);
            entries = 0;
            bytes = 0;
            admin.progress(planId, move.index(), MoveState.COPYING, 0, 0, 0);
            final long start = System.nanoTime();
            long lastProgress = start;
            boolean frozen = false;
            for (long sequence = 1; ; sequence++)
            {
                if (stopped && !frozen)
                {
                    admin.progress(planId, move.index(), MoveState.COPYING, entries, bytes, 0);
                    return;
                }
                final ClusterAdmin.BatchResult batch = admin.copyBatch(from, to, p, sequence, batchEntries, batchBytes);
                entries += batch.entries();
                bytes += batch.bytes();
                queued = batch.remaining();
                final long now = System.nanoTime();
                if (frozen)
                {
                    if (0 == batch.entries() && 0 == queued)
                    {
                        break;
                    }
                    continue;
                }
                if (now - lastProgress > PROGRESS_INTERVAL_NS)
                {
                    lastProgress = now;
                    admin.progress(planId, move.index(), MoveState.COPYING, entries, bytes, 0);
                    listener.onProgress(status(move, MoveState.COPYING, entries, bytes, 0), queued, now - start);
                }
                if (queued < batchEntries && batch.entries() < batchEntries)
                {
                    frozenAt = System.nanoTime();
                    admin.control(from, p, MigrationAction.FREEZE_SOURCE, to, 0);
                    frozen = true;
                    continue;
                }
                throttle(start, bytes);
            }
            listener.onProgress(status(move, MoveState.COPYING, entries, bytes, 0), 0, System.nanoTime() - start);
            // before group 0 names the target: a mover resuming a cut-over finds this done
            admin.copyOutcomes(from, to, p, Math.max(RequestDeduplicator.WINDOW, batchBytes / OUTCOME_BYTES));
            epoch = admin.assign(p, from, to);
            listener.onCutover(status(move, MoveState.CUTOVER, entries, bytes, epoch));
        }
        admin.control(to, p, MigrationAction.OWN_TARGET, from, epoch);
        admin.control(from, p, MigrationAction.RELEASE_SOURCE, to, epoch);
        final long pauseNs = frozenAt < 0 ? -1 : System.nanoTime() - frozenAt;
        admin.progress(planId, move.index(), MoveState.DONE, entries, bytes, epoch);
        listener.onDone(status(move, MoveState.DONE, entries, bytes, epoch), pauseNs);
    }

    private void throttle(final long startNs, final long bytes)
    {
        if (0 == bytesPerSecond)
        {
            return;
        }
        final long dueNs = startNs + (long)(bytes * 1e9 / bytesPerSecond);
        long now;
        while ((now = System.nanoTime()) < dueNs)
        {
            LockSupport.parkNanos(Math.min(dueNs - now, TimeUnit.MILLISECONDS.toNanos(200)));
            admin.keepAlive();
        }
    }

    private static MoveStatus status(
        final MoveStatus move, final MoveState state, final long entries, final long bytes, final long epoch)
    {
        return new MoveStatus(move.index(), move.partition(), move.fromGroup(), move.toGroup(), state.name(), entries,
            bytes, epoch);
    }
}
