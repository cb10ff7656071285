package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.RecordingLog;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
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
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Storage faults on one member while it is down: its newest log segment cut short (a torn write), or a byte of its
 * newest snapshot flipped. A member with a torn log must rejoin and agree with the others; a corrupted snapshot
 * must not go unnoticed (refused by the member, or at the least caught by the store digest comparison).
 */
@Tag("system")
class StorageFaultSystemTest
{
    private static final int TERM_LENGTH = 1024 * 1024;
    private static final int KEYS = 200;
    /** The byte of one value written once, so it can be found in a snapshot (other values use 1..250). */
    private static final byte MARK = (byte)251;

    @TempDir
    File tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, byte[]> expected = new HashMap<>();
    private MemberProcess[] members;
    private GroupTopology topology;
    private int written;

    @AfterEach
    void tearDown()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    @Test
    @Timeout(300)
    void shouldRejoinAfterItsNewestLogSegmentWasCutShort() throws IOException
    {
        startGroup(25000, 0);
        final int leader = GroupProbe.awaitHealthy(topology, 0, 60_000);
        final MemberProcess victim = members[(leader + 1) % 3];
        try (FerriteClient client = client())
        {
            write(client, 2500);
            GroupProbe.awaitHealthy(topology, 0, 60_000);
            victim.kill();
            final File segment = newestLogSegment(victim);
            final long used = usedLength(segment);
            final long cut = used / 2 / 4096 * 4096;
            try (RandomAccessFile file = new RandomAccessFile(segment, "rw"))
            {
                file.setLength(cut);
            }
            System.out.println("STORAGE cut " + segment.getName() + " of member " + victim.member() + " from " + used +
                " to " + cut + " bytes");
            write(client, 500);
            victim.start(false, 60_000);
            GroupProbe.awaitHealthy(topology, 0, 90_000);
            assertValues(client);
        }
        final List<ClusterStatus.StoreDigest> digests = GroupProbe.awaitDigests(topology, 0, 60_000);
        assertTrue(GroupProbe.divergent(digests).isEmpty(), "stores differ after the torn log: " + digests);
    }

    @Test
    @Timeout(300)
    void shouldNotLetCorruptedSnapshotGoUnnoticed() throws IOException
    {
        startGroup(26000, 256 * 1024);
        final int leader = GroupProbe.awaitHealthy(topology, 0, 60_000);
        final MemberProcess victim = members[(leader + 1) % 3];
        try (FerriteClient client = client())
        {
            write(client, 2000);
            final byte[] marked = new byte[1000];
            Arrays.fill(marked, MARK);
            client.put(bytes("marked"), marked);
            GroupProbe.awaitHealthy(topology, 0, 60_000);
            final long committed = ClusterStatus.read(topology, 0).get(leader).commitPosition();
            final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            final long deadline = System.currentTimeMillis() + 60_000;
            while (!ClusterTool.snapshot(new File(members[leader].dir(), "group-0"), out))
            {
                if (System.currentTimeMillis() > deadline)
                {
                    fail("the leader refused every snapshot request");
                }
                GroupProbe.pause(200);
            }
            while (serviceSnapshots(victim).isEmpty() ||
                serviceSnapshots(victim).get(serviceSnapshots(victim).size() - 1).logPosition < committed)
            {
                if (System.currentTimeMillis() > deadline)
                {
                    fail("member " + victim.member() + " took no snapshot");
                }
                GroupProbe.pause(50);
            }
            victim.kill();
        }
        final List<RecordingLog.Entry> snapshots = serviceSnapshots(victim);
        final RecordingLog.Entry newest = snapshots.get(snapshots.size() - 1);
        final File segment = segmentWithValueRun(victim, newest.recordingId);
        flipInsideValueRun(segment);
        victim.start(false, 60_000);

        boolean rejoined = true;
        try
        {
            GroupProbe.awaitHealthy(topology, 0, 30_000);
        }
        catch (final AssertionError ex)
        {
            rejoined = false;
        }
        final boolean refused = !rejoined || !victim.isAlive() || !victim.errorLines().isEmpty();
        boolean divergent = false;
        if (rejoined)
        {
            try (FerriteClient client = client())
            {
                client.put(bytes("after-restart"), new byte[]{ 1 });
            }
            divergent = !GroupProbe.divergent(GroupProbe.awaitDigests(topology, 0, 60_000)).isEmpty();
        }
        System.out.println("STORAGE corrupted snapshot recording " + newest.recordingId + " of member " +
            victim.member() + ": refused=" + refused + " divergence-detected=" + divergent + " errors=" +
            victim.errorLines());
        assertTrue(refused || divergent, "a corrupted snapshot was loaded silently and went unnoticed");
        assertTrue(victim.errorLines().stream().anyMatch((line) -> line.contains("snapshot is corrupted")),
            "the corrupted snapshot must be refused by its checksum, not loaded: " + victim.errorLines());
    }

    private void startGroup(final int portBase, final int snapshotLogBytes)
    {
        topology = GroupTopology.local(3, portBase);
        members = new MemberProcess[3];
        for (int m = 0; m < 3; m++)
        {
            members[m] = new MemberProcess(m, topology, new File(tempDir, "member-" + m), 0)
                .property(ReplicationConfiguration.TERM_LENGTH_PROP_NAME, TERM_LENGTH)
                .property(ReplicationConfiguration.ARCHIVE_SEGMENT_LENGTH_PROP_NAME, TERM_LENGTH)
                .property(ReplicationConfiguration.SNAPSHOT_LOG_BYTES_PROP_NAME, snapshotLogBytes)
                .property(StoreDigestPublisher.INTERVAL_PROP_NAME, 200)
                .property("ferrite.engine.capacity.bytes", 4 * 1024 * 1024);
            closeables.add(members[m]);
        }
        for (final MemberProcess member : members)
        {
            member.start(true, 60_000);
        }
    }

    private void assertValues(final FerriteClient client)
    {
        for (final Map.Entry<String, byte[]> entry : expected.entrySet())
        {
            assertArrayEquals(entry.getValue(), client.get(entry.getKey().getBytes(StandardCharsets.UTF_8)),
                entry.getKey() + " lost its last acknowledged value");
        }
    }

    private void write(final FerriteClient client, final int count)
    {
        final byte[] value = new byte[1000];
        final List<CompletableFuture<?>> batch = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final String key = "key-" + (written % KEYS);
            Arrays.fill(value, (byte)(1 + written % 250));

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

    private FerriteClient client()
    {
        return FerriteClient.connect(new ClientContext()
            .group(topology.ingressEndpoints(0))
            .termLength(TERM_LENGTH)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(20)));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<RecordingLog.Entry> serviceSnapshots(final MemberProcess member)
    {
        final List<RecordingLog.Entry> result = new ArrayList<>();
        try (RecordingLog log = new RecordingLog(new File(member.dir(), "group-0"), false))
        {
            for (final RecordingLog.Entry entry : log.entries())
            {
                if (entry.isValid && RecordingLog.ENTRY_TYPE_SNAPSHOT == entry.type && 0 == entry.serviceId)
                {
                    result.add(entry);
                }
            }
        }
        result.sort((a, b) -> Long.compare(a.logPosition, b.logPosition));
        return result;
    }

    private static File[] segments(final MemberProcess member, final long recordingId)
    {
        final String prefix = recordingId + "-";
        final File[] segments = new File(member.dir(), "archive").listFiles(
            (dir, name) -> name.startsWith(prefix) && name.endsWith(".rec"));
        if (null == segments || 0 == segments.length)
        {
            fail("no segment files of recording " + recordingId + " in " + member.dir());
        }
        Arrays.sort(segments, (a, b) -> Long.compare(basePosition(a, prefix), basePosition(b, prefix)));
        return segments;
    }

    private static long basePosition(final File segment, final String prefix)
    {
        final String name = segment.getName();
        return Long.parseLong(name.substring(prefix.length(), name.length() - 4));
    }

    private static File newestLogSegment(final MemberProcess member)
    {
        final long recordingId;
        try (RecordingLog log = new RecordingLog(new File(member.dir(), "group-0"), false))
        {
            recordingId = log.findLastTermRecordingId();
        }
        final File[] segments = segments(member, recordingId);
        return segments[segments.length - 1];
    }

    /**
     * Bytes up to the end of the last non-zero 4 KiB block (segments are preallocated, so the file length says
     * nothing).
     */
    private static long usedLength(final File segment) throws IOException
    {
        final byte[] block = new byte[4096];
        try (RandomAccessFile file = new RandomAccessFile(segment, "r"))
        {
            for (long at = (file.length() - 1) / 4096 * 4096; at >= 0; at -= 4096)
            {
                file.seek(at);
                final int read = file.read(block);
                for (int i = 0; i < read; i++)
                {
                    if (0 != block[i])
                    {
                        return at + read;
                    }
                }
            }
        }
        return 0;
    }

    private static File segmentWithValueRun(final MemberProcess member, final long recordingId) throws IOException
    {
        for (final File segment : segments(member, recordingId))
        {
            if (valueRunAt(segment) >= 0)
            {
                return segment;
            }
        }
        fail("the marked value is not in snapshot recording " + recordingId);
        return null;
    }

    /**
     * Where the marked value (a run of 256 {@link #MARK} bytes) sits in {@code segment}, or -1.
     */
    private static long valueRunAt(final File segment) throws IOException
    {
        final byte[] bytes = java.nio.file.Files.readAllBytes(segment.toPath());
        int run = 0;
        for (int i = 1; i < bytes.length; i++)
        {
            run = bytes[i] == MARK && bytes[i - 1] == MARK ? run + 1 : 0;
            if (run == 256)
            {
                return i - 128;
            }
        }
        return -1;
    }

    private static void flipInsideValueRun(final File segment) throws IOException
    {
        final long at = valueRunAt(segment);
        try (RandomAccessFile file = new RandomAccessFile(segment, "rw"))
        {
            file.seek(at);
            final int original = file.read();
            file.seek(at);
            file.write(original ^ 0x5A);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        System.out.println("STORAGE flipped the byte at " + at + " of " + segment.getName());
    }
}
