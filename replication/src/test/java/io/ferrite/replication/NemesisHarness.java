package io.ferrite.replication;

import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.FerriteRequestException;
import io.ferrite.codec.Credentials;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.replication.linearizability.LinearizabilityChecker;
import io.ferrite.replication.linearizability.Operation;
import org.agrona.CloseHelper;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One nemesis run against a three-member group of real processes: pipelined clients over every operation while a
 * seeded fault schedule runs; then every key is read, each key's history is checked for linearizability, acknowledged
 * writes are checked for loss, the members' store digests are compared at one applied position, and the checker is
 * shown to catch a deliberately broken copy of the same histories (a write removed, a stale read injected).
 * <p>
 * Options, set before {@link #run}: {@link #memberProperty} (lossy endpoints, say: {@link NetworkFaults}) and
 * {@link #authenticate} (members and clients log in; the run then also checks that no session was refused and that
 * a client without credentials is).
 */
final class NemesisHarness implements AutoCloseable
{
    static final int CLIENTS = 3;
    static final int IN_FLIGHT = 8;
    static final long DIGEST_INTERVAL_MS = 200;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final GroupTopology topology;
    private final MemberProcess[] members = new MemberProcess[3];
    private final NetworkLab lab;
    private final String clientHost;
    private final File dir;
    private final File trailDir;
    private final long seed = Nemesis.seed();
    private byte[] clientCredentials;

    /**
     * @param lab null to run on loopback (no partition faults).
     */
    NemesisHarness(final File dir, final int portBase, final NetworkLab lab)
    {
        this.lab = lab;
        this.dir = dir;
        topology = null == lab ? GroupTopology.local(3, portBase) :
            new GroupTopology(List.of(lab.host(0), lab.host(1), lab.host(2)), portBase);
        clientHost = null == lab ? "127.0.0.1" : lab.clientHost();
        trailDir = new File(dir, "digest-trail");
        if (!trailDir.mkdirs() && !trailDir.isDirectory())
        {
            throw new IllegalStateException("cannot make " + trailDir);
        }
        for (int m = 0; m < 3; m++)
        {
            members[m] = new MemberProcess(m, topology, new File(dir, "member-" + m), 0)
                .property(StoreDigestPublisher.INTERVAL_PROP_NAME, DIGEST_INTERVAL_MS)
                .property(StoreDigestPublisher.TRAIL_DIR_PROP_NAME, trailDir.getAbsolutePath())
                .property(WriteTrace.PROP_NAME, WriteTrace.ENABLED);
            if (null != lab)
            {
                members[m].launcher(lab.launcher(m));
            }
            closeables.add(members[m]);
        }
    }

    /**
     * The seed of this run's schedule and workload (also usable for its lossy network): printed by {@link #run}.
     */
    long seed()
    {
        return seed;
    }

    /**
     * A system property for every member's JVM, from the next start.
     */
    NemesisHarness memberProperty(final String name, final Object value)
    {
        for (final MemberProcess member : members)
        {
            member.property(name, value);
        }
        return this;
    }

    /**
     * Authentication on: a credentials file with an admin (the members' own login, for their internal sessions:
     * archive catch-up and replication) and a read-write user (the clients'), with secrets drawn for this run.
     */
    NemesisHarness authenticate() throws IOException
    {
        final SecureRandom random = new SecureRandom();
        final String adminSecret = HexFormat.of().formatHex(random.generateSeed(16));
        final String writerSecret = HexFormat.of().formatHex(random.generateSeed(16));
        final Path credentials = dir.toPath().resolve("credentials");
        final Path login = dir.toPath().resolve("member-login");
        dir.mkdirs();
        Files.write(credentials, List.of(
            Credentials.hashLine("admin", Credentials.ADMIN, bytes(adminSecret), random),
            Credentials.hashLine("writer", Credentials.READ_WRITE, bytes(writerSecret), random)));
        Files.write(login, List.of("admin:" + adminSecret));
        memberProperty(Credentials.CREDENTIALS_FILE_PROPERTY, credentials.toAbsolutePath());
        memberProperty(Credentials.LOGIN_FILE_PROPERTY, login.toAbsolutePath());
        clientCredentials = Credentials.encode("writer", bytes(writerSecret));
        return this;
    }

    /**
     * Start the group, run {@code faults} faults drawn from {@code kinds} under load, and check everything.
     */
    void run(final List<Nemesis.Kind> kinds, final int faults) throws InterruptedException
    {
        System.out.println("NEMESIS seed=" + seed + " (rerun with -D" + Nemesis.SEED_PROP_NAME + "=" + seed +
            ") faults=" + faults + " kinds=" + kinds);
        for (final MemberProcess member : members)
        {
            member.start(true, 60_000);
        }
        GroupProbe.awaitHealthy(topology, 0, 60_000);
        final ClientContext[] contexts = new ClientContext[CLIENTS];
        for (int c = 0; c < CLIENTS; c++)
        {
            contexts[c] = clientContext();
        }
        final NemesisWorkload workload = new NemesisWorkload(contexts, IN_FLIGHT, seed);
        closeables.add(workload);
        final Nemesis nemesis = new Nemesis(members, topology, lab, seed);
        final List<Nemesis.Fault> schedule = nemesis.schedule(faults, kinds);
        final long start = System.nanoTime();
        workload.start();
        try
        {
            nemesis.run(schedule);
        }
        finally
        {
            workload.finish(60_000);
        }
        final long runMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        GroupProbe.awaitHealthy(topology, 0, 60_000);

        final Map<String, List<Operation>> histories = workload.histories();
        final List<String> violations = new ArrayList<>();
        final List<String> undecided = new ArrayList<>();
        int largest = 0;
        for (final Map.Entry<String, List<Operation>> entry : histories.entrySet())
        {
            largest = Math.max(largest, entry.getValue().size());
        }
        System.out.println("NEMESIS histories=" + histories.size() + " operations=" + workload.operations() +
            " largest-history=" + largest + "; checking");
        for (final Map.Entry<String, List<Operation>> entry : histories.entrySet())
        {
            final LinearizabilityChecker.Result result = LinearizabilityChecker.check(
                entry.getValue(), null, LinearizabilityChecker.DEFAULT_MAX_STATES);
            if (LinearizabilityChecker.Result.VIOLATION == result)
            {
                violations.add(entry.getKey() + " (" + entry.getValue().size() + " ops): " + entry.getValue());
            }
            else if (LinearizabilityChecker.Result.UNDECIDED == result)
            {
                undecided.add(entry.getKey() + " (" + entry.getValue().size() + " ops)");
            }
        }
        final List<String> lost = lostWrites(histories, workload.finalReads());
        final List<ClusterStatus.StoreDigest> digests = GroupProbe.awaitDigests(topology, 0, 60_000);
        final List<ClusterStatus.StoreDigest> divergent = GroupProbe.divergent(digests);
        final List<String> trailDivergences = new ArrayList<>();
        final int trailPoints = DigestTrail.compare(trailDir, 0, trailDivergences);
        final int tampered = assertTamperingCaught(histories);
        int errorLines = 0;
        for (final MemberProcess member : members)
        {
            errorLines += member.errorLines().size();
        }
        System.out.println("NEMESIS-RESULT seed=" + seed + " faults=" + schedule.size() + " run-ms=" + runMs +
            " operations=" + workload.operations() + " keys=" + histories.size() + " largest-history=" + largest +
            " acknowledged-writes=" + workload.acknowledgedWrites() + " unknown-outcomes=" +
            workload.unknownOutcomes() + " forgotten-outcomes=" + workload.forgottenOutcomes() +
            " violations=" + violations.size() + " undecided=" + undecided.size() +
            " lost-writes=" + lost.size() +
            " divergences=" + divergent.size() + " digest-position=" + digests.get(0).position() +
            " trail-points=" + trailPoints + " trail-divergences=" + trailDivergences.size() +
            (trailDivergences.isEmpty() ? "" : " first-trail-divergence=[" + trailDivergences.get(0) + "]") +
            " tampered-histories-caught=" + tampered + " member-error-lines=" + errorLines + " " +
            latencies(histories));
        assertTrue(violations.isEmpty(), "seed " + seed + ": histories not linearizable: " + violations);
        assertTrue(undecided.isEmpty(), "seed " + seed + ": histories too large to decide: " + undecided);
        assertTrue(lost.isEmpty(), "seed " + seed + ": acknowledged writes lost: " + lost);
        assertTrue(divergent.isEmpty(), "seed " + seed + ": store digests differ at one applied position: " +
            digests);
        assertTrue(trailDivergences.isEmpty(), "seed " + seed + ": members' stores differed at an applied position " +
            "during the run (a divergence later writes healed): " + trailDivergences);
        assertTrue(trailPoints > 0, "seed " + seed + ": no digest trail points were compared");
        assertTrue(workload.acknowledgedWrites() > 100, "seed " + seed + ": too few writes acknowledged (" +
            workload.acknowledgedWrites() + "): the clients made no progress");
        if (null != clientCredentials)
        {
            assertAuthenticationHeld();
        }
    }

    private ClientContext clientContext()
    {
        final ClientContext ctx = new ClientContext()
            .group(topology.ingressEndpoints(0))
            .egressHost(clientHost)
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(8))
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(20));
        return null == clientCredentials ? ctx : ctx.credentials(clientCredentials);
    }

    /**
     * With authentication on: no member refused a session during the run (the clients', or a member's archive
     * session while it caught up after a restart), counted by the auth failure counters of the members' current
     * processes, and a client without credentials is refused (so authentication really was on).
     */
    private void assertAuthenticationHeld()
    {
        final long during = authFailures();
        final FerriteRequestException refused = assertThrows(FerriteRequestException.class,
            () -> FerriteClient.connect(clientContext().credentials(null)).close(),
            "seed " + seed + ": a client without credentials connected to a group with authentication on");
        assertEquals(ErrorCode.AUTHENTICATION_FAILED, refused.code(), refused.getMessage());
        TestGroup.await("the refused client counted by a member", 10_000, () -> authFailures() > during);
        System.out.println("NEMESIS-AUTH seed=" + seed + " auth-failures-during-run=" + during +
            " anonymous-client=" + refused.code() + " auth-failures-after=" + authFailures());
        assertEquals(0, during, "seed " + seed + ": members refused sessions during the run");
    }

    private long authFailures()
    {
        long total = 0;
        for (int m = 0; m < members.length; m++)
        {
            total += Math.max(0,
                ClusterStatus.authFailures(ReplicaNodeContext.defaultAeronDirectoryName(topology.portBase(), m)));
        }
        return total;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Latency of the answered operations (invoke to return, as the pipelined clients saw it): p50, p99 and max in ms.
     */
    static String latencies(final Map<String, List<Operation>> histories)
    {
        final List<Long> answered = new ArrayList<>();
        for (final List<Operation> history : histories.values())
        {
            for (final Operation op : history)
            {
                if (Operation.Kind.EXPIRE != op.kind() && !op.isUnknown())
                {
                    answered.add(op.returnNs() - op.invokeNs());
                }
            }
        }
        if (answered.isEmpty())
        {
            return "latency-ms=none";
        }
        answered.sort(null);
        final int n = answered.size();
        return String.format("latency-ms-p50=%.2f p99=%.2f max=%.2f", answered.get(n / 2) / 1e6,
            answered.get(Math.min(n - 1, (int)(n * 0.99))) / 1e6, answered.get(n - 1) / 1e6);
    }

    /**
     * Keys whose final read does not show the last acknowledged upsert although no other mutation could have come
     * after it (every other mutation, expiries included, returned before it was invoked).
     */
    static List<String> lostWrites(final Map<String, List<Operation>> histories, final Map<String, Operation> finals)
    {
        final List<String> lost = new ArrayList<>();
        for (final Map.Entry<String, List<Operation>> entry : histories.entrySet())
        {
            final Operation finalRead = finals.get(entry.getKey());
            Operation last = null;
            for (final Operation op : entry.getValue())
            {
                if (Operation.Kind.WRITE == op.kind() && !op.isUnknown() &&
                    (null == last || op.returnNs() > last.returnNs()))
                {
                    last = op;
                }
            }
            if (null == finalRead || null == last)
            {
                continue;
            }
            boolean alone = true;
            for (final Operation op : entry.getValue())
            {
                if (op != last && op.isMutation() && op.returnNs() >= last.invokeNs())
                {
                    alone = false;
                    break;
                }
            }
            if (alone && !last.value().equals(finalRead.value()))
            {
                lost.add(entry.getKey() + ": acknowledged " + last + ", final read " + finalRead);
            }
        }
        return lost;
    }

    /**
     * The harness-level negative test: broken copies of the recorded histories must be rejected. For every key where
     * a read observed an acknowledged write that returned before the read began, the copy without that write must
     * fail; a read of an overwritten value, injected after the last acknowledged write, must fail too.
     *
     * @return how many broken histories were caught (at least one is required).
     */
    private static int assertTamperingCaught(final Map<String, List<Operation>> histories)
    {
        int caught = 0;
        for (final Map.Entry<String, List<Operation>> entry : histories.entrySet())
        {
            final List<Operation> history = entry.getValue();
            final Operation observed = observedWrite(history);
            if (null != observed)
            {
                final List<Operation> withoutWrite = new ArrayList<>(history);
                withoutWrite.remove(observed);
                caught += tamperedVerdict(withoutWrite, "the checker accepted " + entry.getKey() +
                    "'s history with the observed write " + observed + " removed");
            }
            final Operation stale = staleRead(history);
            if (null != stale)
            {
                final List<Operation> withStale = new ArrayList<>(history);
                withStale.add(stale);
                caught += tamperedVerdict(withStale, "the checker accepted " + entry.getKey() +
                    "'s history with a stale read " + stale);
            }
        }
        if (0 == caught)
        {
            fail("no history could be tampered with: the run recorded too little");
        }
        return caught;
    }

    /**
     * 1 if the checker rejects a broken history, 0 if it cannot decide it within its state budget (a broken
     * history may need a longer search to refute than the real one took to accept; it must not hide the run's
     * verdict); fails if it accepts it.
     */
    private static int tamperedVerdict(final List<Operation> broken, final String acceptedMessage)
    {
        final LinearizabilityChecker.Result result =
            LinearizabilityChecker.check(broken, null, LinearizabilityChecker.DEFAULT_MAX_STATES);
        assertNotEquals(LinearizabilityChecker.Result.LINEARIZABLE, result, acceptedMessage);
        return LinearizabilityChecker.Result.VIOLATION == result ? 1 : 0;
    }

    private static Operation observedWrite(final List<Operation> history)
    {
        for (final Operation write : history)
        {
            if (Operation.Kind.WRITE == write.kind() && !write.isUnknown())
            {
                for (final Operation read : history)
                {
                    if (Operation.Kind.READ == read.kind() && write.value().equals(read.value()) &&
                        read.invokeNs() > write.returnNs())
                    {
                        return write;
                    }
                }
            }
        }
        return null;
    }

    /**
     * A read, after everything else in the history, of a value that an acknowledged upsert wrote and that a later
     * acknowledged upsert (invoked after it returned, with no mutation after that one) replaced.
     */
    private static Operation staleRead(final List<Operation> history)
    {
        Operation last = null;
        long end = 0;
        for (final Operation op : history)
        {
            end = Math.max(end, op.isUnknown() ? op.invokeNs() : op.returnNs());
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
            if (op != last && op.isMutation() && (op.isUnknown() || op.returnNs() >= last.invokeNs()))
            {
                return null;
            }
        }
        for (final Operation op : history)
        {
            if (Operation.Kind.WRITE == op.kind() && !op.isUnknown() && op.returnNs() < last.invokeNs() &&
                !op.value().equals(last.value()))
            {
                final long after = end + 1_000_000L;
                return Operation.read(Integer.MAX_VALUE, op.value(), after, after + 1);
            }
        }
        return null;
    }

    GroupTopology topology()
    {
        return topology;
    }

    public void close()
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
    }
}
