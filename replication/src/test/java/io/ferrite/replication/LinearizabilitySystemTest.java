package io.ferrite.replication;

import io.ferrite.client.FerriteException;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.replication.linearizability.LinearizabilityChecker;
import io.ferrite.replication.linearizability.Operation;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several clients read, write and compare-and-set a few keys while the leader is killed; the recorded histories
 * must be linearizable, key by key.
 */
@Tag("system")
class LinearizabilitySystemTest
{
    private static final int CLIENTS = 4;
    private static final int KEYS = 3;
    private static final long RUN_MS = 6000;
    private static final long KILL_AT_MS = 2000;

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
    }

    @RepeatedTest(2)
    @Timeout(180)
    void shouldStayLinearizableWhileLeaderIsKilled(final RepetitionInfo repetition) throws Exception
    {
        final GroupTopology topology = GroupTopology.local(3, 28000 + 1000 * (repetition.getCurrentRepetition() % 2));
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

        final List<List<Operation>> histories = new ArrayList<>();
        for (int k = 0; k < KEYS; k++)
        {
            histories.add(new ArrayList<>());
        }
        final AtomicInteger ids = new AtomicInteger();
        final long start = System.nanoTime();
        final Thread[] workers = new Thread[CLIENTS];
        final FerriteClient[] clients = new FerriteClient[CLIENTS];
        for (int c = 0; c < CLIENTS; c++)
        {
            clients[c] = FerriteClient.connect(new ClientContext()
                .group(topology.ingressEndpoints(0))
                .requestTimeoutNs(TimeUnit.SECONDS.toNanos(3)));
            closeables.add(clients[c]);
            final int clientIndex = c;
            workers[c] = new Thread(() -> run(clientIndex, clients[clientIndex], histories, ids, start));
        }
        for (final Thread worker : workers)
        {
            worker.start();
        }
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(KILL_AT_MS))
        {
            Thread.sleep(10);
        }
        final int leader = clients[0].leaderMemberId();
        members[leader].kill();
        for (final Thread worker : workers)
        {
            worker.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(worker.isAlive(), "worker did not finish");
        }

        int total = 0;
        for (int k = 0; k < KEYS; k++)
        {
            final List<Operation> history;
            synchronized (histories)
            {
                history = new ArrayList<>(histories.get(k));
            }
            total += history.size();
            assertTrue(LinearizabilityChecker.check(history, null),
                "history of key " + k + " is not linearizable (" + history.size() + " operations): " + history);
            final Operation stale = staleReadAfterLastWrite(history);
            if (null != stale)
            {
                final List<Operation> tampered = new ArrayList<>(history);
                tampered.add(stale);
                assertFalse(LinearizabilityChecker.check(tampered, null),
                    "the checker must catch an injected stale read " + stale);
            }
        }
        System.out.println("LINEARIZABILITY operations=" + total + " killed-leader=" + leader);
        assertTrue(total > 100, "too few operations completed: " + total);
        assertNoErrors(members);
    }

    private static void run(
        final int clientIndex,
        final FerriteClient client,
        final List<List<Operation>> histories,
        final AtomicInteger ids,
        final long start)
    {
        final Random random = new Random(clientIndex * 7919L);
        final String[] lastRead = new String[KEYS];
        int sequence = 0;
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(RUN_MS))
        {
            final int key = random.nextInt(KEYS);
            final byte[] keyBytes = ("reg-" + key).getBytes(StandardCharsets.UTF_8);
            final int dice = random.nextInt(10);
            final int id = ids.getAndIncrement();
            final long invoke = System.nanoTime();
            Operation op;
            if (dice < 4)
            {
                try
                {
                    final byte[] read = client.get(keyBytes);
                    final String value = null == read ? null : new String(read, StandardCharsets.UTF_8);
                    lastRead[key] = value;
                    op = Operation.read(id, value, invoke, System.nanoTime());
                }
                catch (final FerriteException ex)
                {
                    op = null;
                }
            }
            else if (dice < 7 || null == lastRead[key])
            {
                final String value = "c" + clientIndex + "-" + sequence++;
                try
                {
                    client.put(keyBytes, value.getBytes(StandardCharsets.UTF_8));
                    op = Operation.write(id, value, invoke, System.nanoTime());
                }
                catch (final FerriteException ex)
                {
                    op = Operation.write(id, value, invoke, Long.MAX_VALUE);
                }
            }
            else
            {
                final String expected = lastRead[key];
                final String value = "c" + clientIndex + "-" + sequence++;
                try
                {
                    final boolean ok = client.compareAndSet(keyBytes, expected.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8));
                    op = Operation.cas(id, expected, value, ok, invoke, System.nanoTime());
                }
                catch (final FerriteException ex)
                {
                    op = Operation.cas(id, expected, value, false, invoke, Long.MAX_VALUE);
                }
            }
            if (null != op)
            {
                synchronized (histories)
                {
                    histories.get(key).add(op);
                }
            }
        }
    }

    /**
     * A read of a value whose write returned before the last acknowledged write began, invoked after that last
     * write returned: it can only be stale.
     */
    private static Operation staleReadAfterLastWrite(final List<Operation> history)
    {
        Operation last = null;
        for (final Operation op : history)
        {
            if (Operation.Kind.WRITE == op.kind() && !op.isUnknown() &&
                (null == last || op.returnNs() > last.returnNs()))
            {
                last = op;
            }
        }
        if (null == last)
        {
            return null;
        }
        for (final Operation op : history)
        {
            if (Operation.Kind.WRITE == op.kind() && !op.isUnknown() && op.returnNs() < last.invokeNs())
            {
                final long after = last.returnNs() + 1_000_000L;
                return Operation.read(Integer.MAX_VALUE, op.value(), after, after + 1);
            }
        }
        return null;
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
