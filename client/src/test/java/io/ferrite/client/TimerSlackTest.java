package io.ferrite.client;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(30)
class TimerSlackTest
{
    @Test
    void shouldSetOnlyTheCallingThreadsSlack() throws Exception
    {
        assumeTrue(Files.isSymbolicLink(Paths.get("/proc/thread-self")), "needs Linux /proc/thread-self");
        final AtomicLong seenInThread = new AtomicLong(-2);
        final AtomicLong before = new AtomicLong(-2);
        final Thread thread = new Thread(() ->
        {
            before.set(TimerSlack.currentThreadNs());
            assertTrue(TimerSlack.setForCurrentThread(3_000));
            seenInThread.set(TimerSlack.currentThreadNs());
        });
        final long mine = TimerSlack.currentThreadNs();
        thread.start();
        thread.join();
        assertEquals(3_000, seenInThread.get(), "the thread's own slack after setting it");
        assertEquals(mine, TimerSlack.currentThreadNs(), "another thread's slack must not change");
        assertTrue(before.get() > 0, "slack readable before: " + before.get());
    }

    @Test
    void shouldLowerTheSlackOfTheThreadThatIdlesNotTheOneThatMadeTheStrategy() throws Exception
    {
        assumeTrue(Files.isSymbolicLink(Paths.get("/proc/thread-self")), "needs Linux /proc/thread-self");
        final long creatorSlack = TimerSlack.currentThreadNs();
        final LowSlackIdleStrategy idle = new LowSlackIdleStrategy(new BackoffIdleStrategy(1, 1, 1000, 1000), 2_000);
        assertEquals(creatorSlack, TimerSlack.currentThreadNs(), "making the strategy changes nothing");
        final AtomicLong afterWork = new AtomicLong();
        final AtomicLong afterIdle = new AtomicLong();
        final Thread agent = new Thread(() ->
        {
            idle.idle(1);
            afterWork.set(TimerSlack.currentThreadNs());
            idle.idle(0);
            afterIdle.set(TimerSlack.currentThreadNs());
        });
        agent.start();
        agent.join();
        assertEquals(creatorSlack, afterWork.get(), "a duty cycle that did work must not touch the slack");
        assertEquals(2_000, afterIdle.get(), "the idling thread's slack");
        assertEquals(creatorSlack, TimerSlack.currentThreadNs());
        assertTrue(idle.alias().endsWith("+slack2000ns"), idle.alias());
    }

    @Test
    void shouldRefuseANonPositiveSlack()
    {
        assertFalse(TimerSlack.setForCurrentThread(0));
        assertFalse(TimerSlack.setForCurrentThread(-1));
    }
}
