package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.aeron.cluster.RecordingLog;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
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
 * Defect 7: a follower away for longer than the retention age, across many snapshots, must still be able to rejoin
 * (before the fix the leader purged the log it needed and it could never catch up), and retention must still purge
 * once it has caught up.
 */
@Tag("system")
class RetentionLagSystemTest
{
    private static final int TERM_LENGTH = 1024 * 1024;
    private static final int RETENTION_MS = 2000;
    private static final int KEYS = 200;

    @TempDir
    File tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, byte[]> expected = new HashMap<>();
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
    void shouldLetFollowerAwayAcrossSnapshotsAndRetentionAgeRejoin()
    {
        final GroupTopology topology = GroupTopology.local(3, 23000);
        final MemberProcess[] members = new MemberProcess[3];
        for (int m = 0; m < 3; m++)
        {
            members[m] = new MemberProcess(m, topology, new File(tempDir, "member-" + m), 0)
                .property(ReplicationConfiguration.TERM_LENGTH_PROP_NAME, TERM_LENGTH)
                .property(ReplicationConfiguration.ARCHIVE_SEGMENT_LENGTH_PROP_NAME, TERM_LENGTH)
                .property(ReplicationConfiguration.SNAPSHOT_LOG_BYTES_PROP_NAME, 256 * 1024)
                .property(ReplicationConfiguration.LOG_RETENTION_MIN_MS_PROP_NAME, RETENTION_MS)
                .property(StoreDigestPublisher.INTERVAL_PROP_NAME, 200)
                .property("ferrite.engine.capacity.bytes", 2 * 1024 * 1024);
            closeables.add(members[m]);
        }
        for (final MemberProcess member : members)
        {
            member.start(true, 60_000);
        }
        final int leader = GroupProbe.awaitHealthy(topology, 0, 60_000);
        final MemberProcess away = members[(leader + 1) % 3];
        try (FerriteClient client = client(topology))
        {
            write(client, 500);
            GroupProbe.awaitHealthy(topology, 0, 60_000);
            away.kill();
            write(client, 3000);
            GroupProbe.pause(RETENTION_MS + 1000);
            write(client, 1500);
            GroupProbe.pause(2 * RETENTION_MS);
            System.out.println("RETENTION member " + away.member() + " away; leader " + leader +
                " log starts at " + logStart(members[leader]));

            away.start(false, 60_000);
            GroupProbe.awaitHealthy(topology, 0, 60_000);
            for (final Map.Entry<String, byte[]> entry : expected.entrySet())
            {
                assertArrayEquals(entry.getValue(), client.get(entry.getKey().getBytes(StandardCharsets.UTF_8)),
                    entry.getKey() + " lost its last acknowledged value");
            }
            final List<ClusterStatus.StoreDigest> digests = GroupProbe.awaitDigests(topology, 0, 60_000);
            assertTrue(GroupProbe.divergent(digests).isEmpty(), "store digests differ after rejoining: " + digests);

            final int currentLeader = GroupProbe.awaitHealthy(topology, 0, 60_000);
            final long deadline = System.currentTimeMillis() + 60_000;
            while (logStart(members[currentLeader]) <= 0)
            {
                if (System.currentTimeMillis() > deadline)
                {
                    fail("the leader never purged its log once every member had caught up");
                }
                write(client, 300);
                GroupProbe.pause(500);
            }
            System.out.println("RETENTION after rejoining, leader " + currentLeader + " log starts at " +
                logStart(members[currentLeader]));
        }
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
     * The start position of the member's log recording: the base position of its oldest segment file.
     */
    static long logStart(final MemberProcess member)
    {
        final long recordingId;
        try (RecordingLog log = new RecordingLog(new File(member.dir(), "group-0"), false))
        {
            recordingId = log.findLastTermRecordingId();
        }
        final String prefix = recordingId + "-";
        final File[] segments = new File(member.dir(), "archive").listFiles(
            (dir, name) -> name.startsWith(prefix) && name.endsWith(".rec"));
        long start = Long.MAX_VALUE;
        for (final File segment : null == segments ? new File[0] : segments)
        {
            final String name = segment.getName();
            start = Math.min(start, Long.parseLong(name.substring(prefix.length(), name.length() - 4)));
        }
        return Long.MAX_VALUE == start ? -1 : start;
    }
}
