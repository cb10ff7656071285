package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A follower's disk fills up (its directory is a small tmpfs the test mounts) while the group keeps taking writes:
 * the other two members must keep acknowledging them, and once the disk has room again (remounted larger) the
 * member, restarted, must rejoin with every acknowledged value and a store equal to the others'. The archive's
 * low-storage threshold (128 MiB by default: below it a member refuses to start recording and terminates) is set to
 * 1 MiB, so the disk really fills. The full member must exit (its archive stopped; it must not stay in the group
 * as a FOLLOWER that cannot record the log). Skipped, saying why, where the test cannot mount (not root).
 */
@Tag("system")
class DiskFullSystemTest
{
    private static final int TERM_LENGTH = 1024 * 1024;
    private static final int KEYS = 300;

    @TempDir
    File tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, byte[]> expected = new HashMap<>();
    private File mounted;
    private int written;

    @AfterEach
    void tearDown()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        if (null != mounted)
        {
            run("umount", "-l", mounted.getPath());
        }
    }

    @Test
    @Timeout(300)
    void shouldKeepServingWhileFollowerDiskIsFullAndLetItRejoin()
    {
        final GroupTopology topology = GroupTopology.local(3, 27000);
        final MemberProcess[] members = new MemberProcess[3];
        for (int m = 0; m < 3; m++)
        {
            members[m] = new MemberProcess(m, topology, new File(tempDir, "member-" + m), 0)
                .property(ReplicationConfiguration.TERM_LENGTH_PROP_NAME, TERM_LENGTH)
                .property(ReplicationConfiguration.ARCHIVE_SEGMENT_LENGTH_PROP_NAME, TERM_LENGTH)
                .property(ReplicationConfiguration.SNAPSHOT_LOG_BYTES_PROP_NAME, 0)
                .property(StoreDigestPublisher.INTERVAL_PROP_NAME, 200)
                .property("ferrite.engine.capacity.bytes", 4 * 1024 * 1024)
                .property("aeron.archive.low.storage.space.threshold", 1024 * 1024)
                .jvmOption("-XX:ErrorFile=" + new File(tempDir, "hs_err_member-" + m + "_%p.log").getPath());
            closeables.add(members[m]);
        }
        final MemberProcess victim = members[2];
        victim.dir().mkdirs();
        final String refused = run("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", victim.dir().getPath());
        Assumptions.assumeTrue(null == refused, "disk-full test skipped: cannot mount a tmpfs: " + refused);
        mounted = victim.dir();

        members[0].start(true, 60_000);
        members[1].start(true, 60_000);
        victim.start(true, 60_000);
        GroupProbe.awaitHealthy(topology, 0, 60_000);
        try (FerriteClient client = client(topology))
        {
            write(client, 20_000);
            System.out.println("DISKFULL member " + victim.member() + " alive=" + victim.isAlive() + " errors=" +
                victim.errorLines().size() + " first=" + victim.errorLines().stream().limit(3).toList());
            System.out.println("DISKFULL status while full:\n" + ClusterStatus.format(ClusterStatus.read(topology, 0)));
            TestGroup.await("the disk-full member to exit (its archive stopped) instead of staying as a zombie", 60_000,
                () -> !victim.isAlive());
            System.out.println("DISKFULL member " + victim.member() + " exited: " + victim.errorLines().stream()
                .filter((line) -> line.contains("archive has not run")).findFirst().orElse("(no reason logged)"));

            assertTrue(null == run("mount", "-o", "remount,size=256m", victim.dir().getPath()),
                "cannot remount the victim's tmpfs larger");
            victim.kill();
            victim.start(false, 60_000);
            GroupProbe.awaitHealthy(topology, 0, 90_000);
            for (final Map.Entry<String, byte[]> entry : expected.entrySet())
            {
                assertArrayEquals(entry.getValue(), client.get(entry.getKey().getBytes(StandardCharsets.UTF_8)),
                    entry.getKey() + " lost its last acknowledged value");
            }
            client.put("after-disk-full".getBytes(StandardCharsets.UTF_8), new byte[]{ 1 });
        }
        final List<ClusterStatus.StoreDigest> digests = GroupProbe.awaitDigests(topology, 0, 60_000);
        assertTrue(GroupProbe.divergent(digests).isEmpty(), "stores differ after the disk-full member rejoined: " +
            digests);
    }

    private void write(final FerriteClient client, final int count)
    {
        final byte[] value = new byte[1000];
        final List<CompletableFuture<?>> batch = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final String key = "key-" + (written % KEYS);
            Arrays.fill(value, (byte)written);
            written++;
            batch.add(client.putAsync(key.getBytes(StandardCharsets.UTF_8), value));
            expected.put(key, value.clone());
            if (batch.size() == 100)
            {
                batch.forEach(CompletableFuture::join);
                batch.clear();
            }
        }
        batch.forEach(CompletableFuture::join);
    }

    private static FerriteClient client(final GroupTopology topology)
    {
        return FerriteClient.connect(new ClientContext()
            .group(topology.ingressEndpoints(0))
            .termLength(TERM_LENGTH)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(20)));
    }

    /**
     * Run a command; null if it succeeded, else what it printed.
     */
    private static String run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return String.join(" ", command) + " timed out";
            }
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return 0 == process.exitValue() ? null : String.join(" ", command) + ": " + output.trim();
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
