package io.ferrite.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class NodeErrorLogTest
{
    @TempDir
    File dir;

    @Test
    void shouldCountDistinctErrorsAndPassThemOn()
    {
        final List<Throwable> passedOn = new ArrayList<>();
        final File file = new File(dir, NodeErrorLog.FILE_PREFIX + "test" + NodeErrorLog.FILE_SUFFIX);
        try (NodeErrorLog log = new NodeErrorLog(file, passedOn::add))
        {
            final IllegalStateException repeated = new IllegalStateException("store thread failed");
            log.onError(repeated);
            log.onError(repeated);
            log.onError(new IllegalArgumentException("other"));

            final List<String> seen = new ArrayList<>();
            final int distinct = NodeErrorLog.read(file, (count, first, last, text) -> seen.add(count + " " + text));
            assertEquals(2, distinct);
            assertTrue(seen.get(0).startsWith("2 java.lang.IllegalStateException: store thread failed"), seen.get(0));
            assertTrue(seen.get(1).startsWith("1 java.lang.IllegalArgumentException: other"), seen.get(1));
            assertEquals(3, passedOn.size());
        }
        assertFalse(file.exists());
    }

    @Test
    void shouldKeepNodeErrorLogInDriverDirectoryWhileRunning()
    {
        final TestNodes nodes = new TestNodes();
        final File file;
        try (FerriteNode node = FerriteNode.launch(nodes.nodeContext(TestNodes.freeUdpPort())))
        {
            file = node.errorLogFile();
            assertTrue(file.exists());
            assertEquals(new File(node.aeronDirectoryName()), file.getParentFile());
            assertEquals(0, NodeErrorLog.read(file, (count, first, last, text) -> { }));
        }
        assertFalse(file.exists());
        assertEquals(List.of(), nodes.errors);
    }
}
