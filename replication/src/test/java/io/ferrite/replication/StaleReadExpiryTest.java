package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Possibly-stale reads never return expired entries, even when the group is idle (cluster time moves only with
 * log entries), and follow the leader rather than caching the first member forever.
 */
@Timeout(90)
class StaleReadExpiryTest
{
    @TempDir
    File tempDir;

    private TestGroup group;

    @AfterEach
    void tearDown()
    {
        if (null != group)
        {
            group.close();
            // Aeron WARN events (a control request racing the archive's close, an election) are not errors
            assertEquals(List.of(), ErrorFilter.realErrors(group.errors), "nothing may reach an error handler");
        }
    }

    @Test
    void shouldNotServeExpiredEntriesFromAnIdleGroup()
    {
        group = new TestGroup(tempDir, 17000, (ctx) -> { });
        final FerriteClient client = group.connect();
        final int follower = (client.leaderMemberId() + 1) % 3;
        final FerriteClient followerReads = group.add(
            FerriteClient.connect(group.clientContext().staleReadMember(follower)));
        final long expiresNoSoonerThan = System.currentTimeMillis() + 300;
        client.put(bytes("ttl"), bytes("short-lived"), Duration.ofMillis(300));
        client.put(bytes("forever"), bytes("kept"));
        TestGroup.await("follower " + follower + " to apply the writes", 10_000,
            () -> null != followerReads.getPossiblyStale(bytes("forever")));

        // Nothing more goes through the log, so the members' cluster time stands still from here on.
        TestGroup.await("the expired entry to disappear from the leader's and a follower's stale reads", 10_000,
            () -> null == client.getPossiblyStale(bytes("ttl")) &&
                null == followerReads.getPossiblyStale(bytes("ttl")));
        assertEquals(true, System.currentTimeMillis() >= expiresNoSoonerThan,
            "the entry vanished before its TTL passed");
        assertArrayEquals(bytes("kept"), client.getPossiblyStale(bytes("forever")));
        assertArrayEquals(bytes("kept"), followerReads.getPossiblyStale(bytes("forever")));
        assertNull(client.get(bytes("ttl")), "linearizable read");
        assertArrayEquals(bytes("kept"), client.get(bytes("forever")));
    }

    @Test
    void shouldFollowTheLeaderForStaleReads()
    {
        group = new TestGroup(tempDir, 17500, (ctx) -> { });
        final FerriteClient client = group.connect();
        client.put(bytes("k"), bytes("v"));
        assertArrayEquals(bytes("v"), client.getPossiblyStale(bytes("k")));
        final int oldLeader = client.leaderMemberId();
        assertEquals(oldLeader, client.staleReadMemberId());

        group.nodes[oldLeader].close();
        group.nodes[oldLeader] = null;
        client.put(bytes("k"), bytes("v2"));
        TestGroup.await("the client to hear of the new leader", 20_000, () -> client.leaderMemberId() != oldLeader);
        assertArrayEquals(bytes("v2"), client.getPossiblyStale(bytes("k")),
            "stale reads must go to the new leader, not the member cached at the first read");
        assertNotEquals(oldLeader, client.staleReadMemberId());
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
