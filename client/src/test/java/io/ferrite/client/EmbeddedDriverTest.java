package io.ferrite.client;

import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    private static long deadPid() throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("true").start();
        final long pid = process.pid();
        process.waitFor();
        return pid;
    }
}
