package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * With background store images a snapshot carries only a reference to an image file that a background thread writes,
 * and a member restarted from that snapshot gets every entry back from the verified file.
 */
class BackgroundSnapshotTest
{
    private static final int KEYS = 300;

    @TempDir
    File tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        System.clearProperty(StoreSnapshot.BACKGROUND_PROP);
    }

    @Test
    @Timeout(90)
    void shouldRestartFromABackgroundImageWithEveryEntry() throws Exception
    {
        System.setProperty(StoreSnapshot.BACKGROUND_PROP, "true");
        final GroupTopology topology = GroupTopology.local(1, 27600);
        final File dir = new File(tempDir, "node");
        ReplicaNode node = ReplicaNode.launch(context(topology, dir, true));
        closeables.add(node);
        final FerriteClusteredService service = node.service(0);
        try (FerriteClient client = client(topology))
        {
            for (int i = 0; i < KEYS; i++)
            {
                client.put(bytes("k" + i), value(i));
            }
            final long deadline = System.currentTimeMillis() + 30_000;
            while (!node.requestSnapshot(0))
            {
                awaitUntil(deadline, "the snapshot request was not accepted");
            }
            while (service.snapshots() < 1 || images(dir).isEmpty())
            {
                awaitUntil(deadline, "no snapshot and image file after 30 s (snapshots " + service.snapshots() +
                    ", images " + images(dir) + ")");
            }
            assertTrue(service.lastSnapshotBytes() < 16 * 1024, "the Aeron snapshot must not carry the image (" +
                service.lastSnapshotBytes() + " bytes)");
            client.put(bytes("after"), bytes("the snapshot"));
        }
        node.close();
        closeables.remove(node);

        node = ReplicaNode.launch(context(topology, dir, false));
        closeables.add(node);
        try (FerriteClient client = client(topology))
        {
            for (int i = 0; i < KEYS; i++)
            {
                assertArrayEquals(value(i), client.get(bytes("k" + i)), "k" + i + " after the restart");
            }
            assertArrayEquals(bytes("the snapshot"), client.get(bytes("after")), "the write after the snapshot");
        }
    }

    private static void awaitUntil(final long deadline, final String message) throws InterruptedException
    {
        if (System.currentTimeMillis() > deadline)
        {
            fail(message);
        }
        Thread.sleep(5);
    }

    private static List<String> images(final File dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir.toPath()))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("image-\\d+\\.img")).toList();
        }
    }

    private static FerriteClient client(final GroupTopology topology)
    {
        return FerriteClient.connect(new ClientContext().group(topology.ingressEndpoints(0)));
    }

    private static ReplicaNodeContext context(final GroupTopology topology, final File dir, final boolean fresh)
    {
        return new ReplicaNodeContext()
            .memberId(0)
            .topology(topology)
            .baseDir(dir)
            .deleteOnStart(fresh)
            .snapshotLogBytes(0)
            .storeCapacityBytes(8L * 1024 * 1024);
    }

    private static byte[] value(final int i)
    {
        return bytes("value of k" + i + " " + "x".repeat(i % 40));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
