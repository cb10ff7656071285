package io.ferrite.client;

import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import org.agrona.IoUtil;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class EmbeddedDriverTest
{
    @TempDir
    File tempDir;

    @Test
    void shouldRemoveOnlyDirectoriesOfDeadProcessesWhoseDriverStopped() throws Exception
    {
        final long deadPid = deadPid();
        final File abandoned = new File(tempDir, "ferrite-admin-" + deadPid + "-1a2b");
        final File ours = new File(tempDir, "ferrite-admin-" + ProcessHandle.current().pid() + "-3c4d");
        final File otherRole = new File(tempDir, "ferrite-client-" + deadPid + "-5e6f");
        final File notOurs = new File(tempDir, "ferrite-admin-notapid");
        for (final File dir : new File[]{ abandoned, ours, otherRole, notOurs })
        {
            assertTrue(dir.mkdirs(), "could not make " + dir);
            Files.writeString(new File(dir, "cnc.dat").toPath(), "");
        }
        final File liveDriverDir = new File(tempDir, "ferrite-admin-" + deadPid + "-7a8b");
        final MediaDriver live = EmbeddedDriver.launch(liveDriverDir.getPath());
        try
        {
            assertEquals(1, EmbeddedDriver.removeAbandoned(tempDir, "admin"), "only the abandoned directory goes");
            assertFalse(abandoned.exists(), "a dead process's directory without a live driver is removed");
            assertTrue(ours.exists(), "a running process's directory stays");
            assertTrue(otherRole.exists(), "another role's directory stays");
            assertTrue(notOurs.exists(), "a name without a process id stays");
            assertTrue(liveDriverDir.exists(), "a directory whose driver still beats stays, whatever its name says");
        }
        finally
        {
            CloseHelper.quietClose(live);
        }
    }

    @Test
    void shouldRefuseADirectoryARunningDriverUsesAndLeaveThatDriverServing()
    {
        final File dir = new File(tempDir, "ferrite-node-7456");
        final MediaDriver first = EmbeddedDriver.launch(dir.getPath());
        try
        {
            final IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> EmbeddedDriver.launch(dir.getPath()));
            assertTrue(refused.getMessage().contains("is in use by the running driver of process " +
                ProcessHandle.current().pid()), refused.getMessage());
            // before the check, the second launch deleted the directory: the first driver could not set up anything new
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir.getPath())
                .driverTimeoutMs(5_000));
                Publication publication = aeron.addPublication("aeron:ipc", 1001))
            {
                assertFalse(publication.isClosed(), "the first driver still serves new clients after the refusal");
            }
        }
        finally
        {
            CloseHelper.quietClose(first);
        }
        final MediaDriver again = EmbeddedDriver.launch(dir.getPath());
        CloseHelper.quietClose(again);
    }

    @Test
    void shouldReuseADirectoryWhoseDriverProcessIsGone() throws Exception
    {
        final File dir = new File(tempDir, "ferrite-node-7457");
        final File copy = new File(tempDir, "copy-of-cnc");
        final MediaDriver left = EmbeddedDriver.launch(dir.getPath());
        // the CnC file as a driver killed now would leave it (heartbeat fresh), then naming a process that is gone
        Files.copy(new File(dir, CncFileDescriptor.CNC_FILE).toPath(), copy.toPath());
        CloseHelper.quietClose(left);
        assertTrue(dir.mkdirs() || dir.isDirectory(), "could not make " + dir);
        final File cnc = new File(dir, CncFileDescriptor.CNC_FILE);
        Files.copy(copy.toPath(), cnc.toPath(), StandardCopyOption.REPLACE_EXISTING);
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(cnc, "cnc");
        try
        {
            CncFileDescriptor.createMetaDataBuffer(mapped).putLong(CncFileDescriptor.PID_FIELD_OFFSET, deadPid());
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        assertTrue(CommonContext.isDriverActive(dir, 10_000, (message) -> { }), "the left CnC file still beats");
        final MediaDriver restarted = EmbeddedDriver.launch(dir.getPath());
        CloseHelper.quietClose(restarted);
    }

    private static long deadPid() throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("true").start();
        final long pid = process.pid();
        process.waitFor();
        return pid;
    }
}
