package io.ferrite.replication;

import io.aeron.archive.ArchiveTool;

import java.io.File;
import java.io.PrintStream;
import java.util.EnumSet;

/**
 * Repairs the one thing a member's archive refuses to start with after a torn write (a process or machine that
 * died in the middle of writing a log segment): an incomplete last fragment straddling a page boundary. Aeron's
 * archive stops with "Run `ArchiveTool verify` for corrective action"; this runs that verification and truncates
 * the segment before the incomplete fragment, so the member restarts with a shorter log and catches up from the
 * leader like any member that fell behind. Nothing else is changed: any other archive error still stops the node.
 * <b>Note:</b> call only while no archive runs on the directory.
 */
final class ArchiveRepair
{
    private ArchiveRepair()
    {
    }

    /**
     * Whether {@code error}, thrown by launching an archive, is the torn-tail refusal this class repairs.
     */
    static boolean isTornTail(final Throwable error)
    {
        for (Throwable cause = error; null != cause; cause = cause.getCause())
        {
            final String message = cause.getMessage();
            if (null != message && message.contains("straddling page boundary"))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Verify the archive in {@code archiveDir}, truncating every segment that ends in an incomplete fragment.
     *
     * @return true if the archive verified clean afterwards.
     */
    static boolean truncateTornTails(final File archiveDir, final PrintStream out)
    {
        return ArchiveTool.verify(out, archiveDir, EnumSet.noneOf(ArchiveTool.VerifyOption.class), null, file ->
        {
            out.println("ferrite replication: truncating the incomplete last fragment of " + file);
            return true;
        });
    }
}
