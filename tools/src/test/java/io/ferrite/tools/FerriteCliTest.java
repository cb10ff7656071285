package io.ferrite.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(90)
class FerriteCliTest
{
    @TempDir
    File dir;

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void shouldRunDemoEndToEnd()
    {
        final int exitCode = FerriteCli.commandLine().execute(
            "demo", "--dir", new File(dir, "demo").getPath(), "--entries", "5000", "--port", "" + freeUdpPort());
        assertEquals(0, exitCode);
    }

    @Test
    void shouldReportUnreachableNodeInOneLine()
    {
        final StringWriter err = new StringWriter();
        final int exitCode = FerriteCli.commandLine().setErr(new PrintWriter(err, true)).execute(
            "get", "--node", "127.0.0.1:" + freeUdpPort(), "--timeout-ms", "300", "key");
        assertEquals(2, exitCode);
        assertTrue(err.toString().contains("no Ferrite node answered"), err.toString());
    }

    @Test
    void shouldParseSizes()
    {
        assertEquals(65536, Sizes.parse("64k"));
        assertEquals(64L << 20, Sizes.parse("64m"));
        assertEquals(1L << 30, Sizes.parse("1G"));
        assertEquals(123, Sizes.parse("123"));
    }
}
