package io.ferrite.tools;

import io.ferrite.replication.MoveStatus;
import io.ferrite.replication.PartitionMover;

import java.io.PrintStream;

/**
 * Shows a rebalance's progress: one bar per partition being copied (entries, MB/s, ETA) and a line per finished
 * move with its write pause, plus the plan's overall count.
 */
final class ProgressPrinter implements PartitionMover.ProgressListener
{
    private static final int BAR = 24;

    private final PrintStream out;
    private final int total;
    private final int alreadyDone;
    private int done;

    ProgressPrinter(final PrintStream out, final int total, final int alreadyDone)
    {
        this.out = out;
        this.total = total;
        this.alreadyDone = alreadyDone;
    }

    public void onProgress(final MoveStatus move, final long queued, final long elapsedNs)
    {
        final double seconds = Math.max(1e-3, elapsedNs / 1e9);
        final double entriesPerSecond = move.entries() / seconds;
        final double mbPerSecond = move.bytes() / seconds / (1024 * 1024);
        final double fraction = move.entries() + queued == 0 ? 1 : (double)move.entries() / (move.entries() + queued);
        final int filled = (int)Math.round(fraction * BAR);
        final String eta = entriesPerSecond > 0 ? String.format("%.1fs", queued / entriesPerSecond) : "?";
        out.printf("\r[%s%s] partition %d: group %d -> %d  %,d entries  %,.0f entries/s  %.2f MB/s  ETA %s  " +
            "(move %d of %d)", "=".repeat(filled), " ".repeat(BAR - filled), move.partition(), move.fromGroup(),
            move.toGroup(), move.entries(), entriesPerSecond, mbPerSecond, eta, alreadyDone + done + 1, total);
        out.flush();
    }

    public void onDone(final MoveStatus move, final long pauseNs)
    {
        done++;
        out.printf("\r[%s] partition %d: group %d -> %d  %,d entries, %,d bytes, map epoch %d, write pause %s  " +
            "(%d of %d done)%n", "=".repeat(BAR), move.partition(), move.fromGroup(), move.toGroup(), move.entries(),
            move.bytes(), move.mapEpoch(), pauseNs < 0 ? "n/a (resumed cut-over)" :
            String.format("%.1f ms", pauseNs / 1e6), alreadyDone + done, total);
    }
}
