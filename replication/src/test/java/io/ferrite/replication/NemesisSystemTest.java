package io.ferrite.replication;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;

/**
 * Jepsen-style: pipelined clients over every operation while a seeded schedule of process faults runs on loopback
 * (SIGKILL and restart of the leader or a follower, SIGSTOP/SIGCONT pauses of 0.2-5 s around the heartbeat
 * timeout). No history may be non-linearizable, no acknowledged write lost, no two members' stores differ at one
 * applied position, and every member must be back in the group after every fault. The seed is printed; set it with
 * {@code -Dferrite.test.nemesis.seed=...}, and the number of faults with {@code -Dferrite.test.nemesis.faults=...}.
 * <p>
 * The second run has authentication on for members and clients (a credentials file; the members log in as admin for
 * their archive sessions, the clients as a read-write user), so failover, restart and catch-up run authenticated; it
 * must keep the same properties, refuse no session, and still refuse a client without credentials.
 */
@Tag("system")
class NemesisSystemTest
{
    /** Faults of the authenticated run (shorter: the paths it adds are the logins, not the faults). */
    static final int AUTHENTICATED_FAULTS = 6;

    @TempDir
    File tempDir;

    @Test
    @Timeout(1800)
    void shouldStayLinearizableAndConvergeUnderKillsAndPauses() throws Exception
    {
        try (NemesisHarness harness = new NemesisHarness(tempDir, 19000, null))
        {
            harness.run(List.of(Nemesis.Kind.KILL_LEADER, Nemesis.Kind.KILL_FOLLOWER, Nemesis.Kind.PAUSE_LEADER,
                Nemesis.Kind.PAUSE_FOLLOWER), Nemesis.faultCount());
        }
    }

    @Test
    @Timeout(900)
    void shouldStayLinearizableAndConvergeUnderKillsAndPausesWithAuthenticationOn() throws Exception
    {
        try (NemesisHarness harness = new NemesisHarness(tempDir, 21500, null).authenticate())
        {
            harness.run(List.of(Nemesis.Kind.KILL_LEADER, Nemesis.Kind.KILL_FOLLOWER, Nemesis.Kind.PAUSE_LEADER,
                Nemesis.Kind.PAUSE_FOLLOWER), Nemesis.faultCount(AUTHENTICATED_FAULTS));
        }
    }
}
