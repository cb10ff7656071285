package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
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
 * Defect 10: a group lost entirely (every member's process and directory gone) is rebuilt from its standby
 * ({@link StandbyBackup#seedMember}) with every acknowledged value intact, deletes included, and the rebuilt members
 * agree on their stores.
 */
@Tag("system")
class StandbyRestoreSystemTest
{
    private static final int TERM_LENGTH = 1024 * 1024;
    private static final int KEYS = 300;

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
    void shouldRebuildLostGroupFromStandbyWithEveryAcknowledgedValue()
    {
        final GroupTopology topology = GroupTopology.local(3, 24000);
        final MemberProcess[] members = new MemberProcess[3];
        for (int m = 0; m < 3; m++)
        {
            members[m] = new MemberProcess(m, topology, new File(tempDir, "member-" + m), 0)
                .property(ReplicationConfiguration.TERM_LENGTH_PROP_NAME, TERM_LENGTH)
                .property(ReplicationConfiguration.ARCHIVE_SEGMENT_LENGTH_PROP_NAME, TERM_LENGTH)
                .property(ReplicationConfiguration.SNAPSHOT_LOG_BYTES_PROP_NAME, 256 * 1024)
                .property(StoreDigestPublisher.INTERVAL_PROP_NAME, 200)
                .property("ferrite.engine.capacity.bytes", 4 * 1024 * 1024);
            closeables.add(members[m]);
        }
        for (final MemberProcess member : members)
        {
            member.start(true, 60_000);
        }
        GroupProbe.awaitHealthy(topology, 0, 60_000);
        final File standbyDir = new File(tempDir, "standby");
        try (FerriteClient client = client(topology))
        {
            write(client, 1500);
            final StandbyBackup standby = StandbyBackup.launch(
                topology, 0, "127.0.0.1", standbyDir, TimeUnit.SECONDS.toNanos(1), Throwable::printStackTrace);
            try
            {
                awaitTrue(() -> standby.liveLogPosition() > 0, "standby never followed the live log: state " +
                    standby.state());
                write(client, 1500);
                for (int i = 0; i < KEYS; i += 7)
                {
                    final String key = "key-" + i;
                    client.delete(key.getBytes(StandardCharsets.UTF_8));
                    expected.put(key, null);
                }
                final long committed = ClusterStatus.read(topology, 0).stream()
                    .mapToLong(ClusterStatus.MemberStatus::commitPosition).max().orElse(-1);
                awaitTrue(() -> standby.liveLogPosition() >= committed, "standby did not copy the log up to " +
                    committed + " (it has " + standby.liveLogPosition() + ", state " + standby.state() + ")");
                System.out.println("STANDBY copied the log to " + standby.liveLogPosition() + " (group committed " +
                    committed + ")");
            }
            finally
            {
                standby.close();
            }
        }

        for (final MemberProcess member : members)
        {
            member.close();
            IoUtil.delete(member.dir(), false);
        }
        for (final MemberProcess member : members)
        {
            StandbyBackup.seedMember(standbyDir, member.dir(), 0);
        }
        for (final MemberProcess member : members)
        {
            member.start(false, 60_000);
        }
        GroupProbe.awaitHealthy(topology, 0, 60_000);
        try (FerriteClient client = client(topology))
        {
            for (final Map.Entry<String, byte[]> entry : expected.entrySet())
            {
                assertArrayEquals(entry.getValue(), client.get(entry.getKey().getBytes(StandardCharsets.UTF_8)),
                    "the group rebuilt from the standby lost the last acknowledged value of " + entry.getKey());
            }
            client.put("after-restore".getBytes(StandardCharsets.UTF_8), new byte[]{ 1 });
        }
        final List<ClusterStatus.StoreDigest> digests = GroupProbe.awaitDigests(topology, 0, 60_000);
        assertTrue(GroupProbe.divergent(digests).isEmpty(), "rebuilt members' stores differ: " + digests);
    }

    private void write(final FerriteClient client, final int count)
    {
        final byte[] value = new byte[600];
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

    private static void awaitTrue(final java.util.function.BooleanSupplier condition, final String message)
    {
        final long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail(message);
            }
            GroupProbe.pause(50);
        }
    }
}
