package io.ferrite.replication;

import io.ferrite.client.FerriteException;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three members in their own processes; members are killed with SIGKILL under a steady write load and every write
 * the client saw acknowledged must still be readable with its last acknowledged value.
 */
@Tag("system")
class FailoverSystemTest
{
    private static final int KEYS = 200;

    @TempDir
    File tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, String> lastAcked = new HashMap<>();
    private final Map<String, Set<String>> unknownSinceAck = new HashMap<>();
    private long sequence;

    @AfterEach
    void tearDown()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }

    @Test
    @Timeout(240)
    void shouldLoseNoAcknowledgedWriteWhenLeaderOrFollowerIsKilled()
    {
        final GroupTopology topology = GroupTopology.local(3, 25000);
        final MemberProcess[] members = new MemberProcess[3];
        for (int m = 0; m < 3; m++)
        {
            members[m] = new MemberProcess(m, topology, new File(tempDir, "member-" + m), 0);
            closeables.add(members[m]);
        }
        for (final MemberProcess member : members)
        {
            member.start(true, 60_000);
        }
        final FerriteClient client = FerriteClient.connect(new ClientContext()
            .group(topology.ingressEndpoints(0))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(5)));
        closeables.add(client);

        writeUntilAcked(client, 1000, 60_000);

        final int firstLeader = client.leaderMemberId();
        final long killNs = System.nanoTime();
        members[firstLeader].kill();
        final long firstAckNs = writeUntilAcked(client, 1000, 60_000);
        final long failoverMs = TimeUnit.NANOSECONDS.toMillis(firstAckNs - killNs);
        System.out.println("FAILOVER_MS leader-kill-to-first-ack=" + failoverMs + " old-leader=" + firstLeader +
            " new-leader=" + client.leaderMemberId());
        assertNotEquals(firstLeader, client.leaderMemberId(), "a new leader must have been elected");
        verifyAllAcknowledged(client);

        members[firstLeader].start(false, 60_000);
        writeUntilAcked(client, 500, 60_000);

        final int follower = (client.leaderMemberId() + 1) % 3 == firstLeader ?
            (client.leaderMemberId() + 2) % 3 : (client.leaderMemberId() + 1) % 3;
        members[follower].kill();
        writeUntilAcked(client, 500, 60_000);
        members[follower].start(false, 60_000);
        writeUntilAcked(client, 500, 60_000);

        final int secondLeader = client.leaderMemberId();
        members[secondLeader].kill();
        writeUntilAcked(client, 500, 60_000);
        verifyAllAcknowledged(client);
        assertNoErrors(members);
    }

    /**
     * Sequential puts to a rotating set of keys until {@code count} are acknowledged.
     *
     * @return the time of the first acknowledgement.
     */
    private long writeUntilAcked(final FerriteClient client, final int count, final long timeoutMs)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        long firstAckNs = 0;
        int acked = 0;
        while (acked < count)
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail("only " + acked + " of " + count + " writes acknowledged in " + timeoutMs + " ms");
            }
            final long i = sequence++;
            final String key = "key-" + (i % KEYS);
            final String value = "value-" + i;
            try
            {
                client.put(bytes(key), bytes(value));
                if (0 == firstAckNs)
                {
                    firstAckNs = System.nanoTime();
                }
                lastAcked.put(key, value);
                unknownSinceAck.remove(key);
                acked++;
            }
            catch (final FerriteException ex)
            {
                unknownSinceAck.computeIfAbsent(key, k -> new HashSet<>()).add(value);
            }
        }
        return firstAckNs;
    }

    private void verifyAllAcknowledged(final FerriteClient client)
    {
        int checked = 0;
        for (final Map.Entry<String, String> entry : lastAcked.entrySet())
        {
            final byte[] read = readWithRetry(client, entry.getKey());
            final String actual = null == read ? null : new String(read, StandardCharsets.UTF_8);
            final Set<String> maybe = unknownSinceAck.getOrDefault(entry.getKey(), Set.of());
            assertTrue(entry.getValue().equals(actual) || maybe.contains(actual),
                "key " + entry.getKey() + ": last acknowledged " + entry.getValue() + " (or an unacknowledged " +
                "later write " + maybe + ") but read " + actual);
            checked++;
        }
        assertTrue(checked > 0, "nothing was acknowledged");
    }

    private static byte[] readWithRetry(final FerriteClient client, final String key)
    {
        FerriteException last = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                return client.get(bytes(key));
            }
            catch (final FerriteException ex)
            {
                last = ex;
            }
        }
        throw last;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertNoErrors(final MemberProcess... members)
    {
        for (final MemberProcess member : members)
        {
            assertTrue(member.errorLines().isEmpty(),
                "member " + member.member() + " logged errors: " + member.errorLines());
        }
    }
}
