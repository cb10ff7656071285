package io.ferrite.replication;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A seeded schedule of faults against the member processes of one group, run one fault at a time: each fault is
 * injected, held for its duration, healed, and then every member must be back in the group (one leader, two
 * followers, caught up) before the next. Partition faults need a {@link NetworkLab}.
 * <p>
 * A killed member is restarted at once on its own directory: {@link MemberProcess#start} clears the activity
 * timestamps of the dead process's mark files first (defect 9: they look live for ~10 s after a SIGKILL).
 */
final class Nemesis
{
    /** Seed of the schedule and the workload; random (and printed) unless set. */
    static final String SEED_PROP_NAME = "ferrite.test.nemesis.seed";
    /** Faults per run (the default suite runs 10; longer runs set more). */
    static final String FAULTS_PROP_NAME = "ferrite.test.nemesis.faults";
    static final int FAULTS_DEFAULT = 10;
    private static final long RECOVERY_TIMEOUT_MS = 90_000;

    enum Kind
    {
        KILL_LEADER, KILL_FOLLOWER, PAUSE_LEADER, PAUSE_FOLLOWER,
        ISOLATE_LEADER, ISOLATE_FOLLOWER, LEADER_CANNOT_SEND, FLAP,
        /** No fault injected: the workload runs on whatever network the members have (lossy, say) for 2-6 s. */
        HOLD;

        boolean needsNetwork()
        {
            return ordinal() >= ISOLATE_LEADER.ordinal() && this != HOLD;
        }
    }

    /**
     * One fault: what, for how long, and the quiet gap after the group has recovered.
     */
    record Fault(Kind kind, long durationMs, long gapMs)
    {
    }

    private final MemberProcess[] members;
    private final GroupTopology topology;
    private final NetworkLab lab;
    private final Random random;
    private final List<String> log = new ArrayList<>();

    Nemesis(final MemberProcess[] members, final GroupTopology topology, final NetworkLab lab, final long seed)
    {
        this.members = members.clone();
        this.topology = topology;
        this.lab = lab;
        this.random = new Random(seed);
    }

    static long seed()
    {
        final String configured = System.getProperty(SEED_PROP_NAME);
        return null == configured || configured.isBlank() ? System.nanoTime() : Long.parseLong(configured.trim());
    }

    static int faultCount()
    {
        return faultCount(FAULTS_DEFAULT);
    }

    /**
     * Faults per run: {@value #FAULTS_PROP_NAME} when set, otherwise {@code defaultCount}.
     */
    static int faultCount(final int defaultCount)
    {
        return Integer.getInteger(FAULTS_PROP_NAME, defaultCount);
    }

    /**
     * {@code count} faults drawn from {@code kinds}: pauses of 0.2-0.6 s (around the 0.4 s heartbeat timeout) or
     * 0.6-5 s, kills with 0.2-3 s down, partitions of 1-5 s, flapping for 2-5 s, holds of 2-6 s. The first faults
     * are each distinct kind once, in a random order (so a short run covers them all), the rest are drawn at random.
     */
    List<Fault> schedule(final int count, final List<Kind> kinds)
    {
        final List<Kind> distinct = new ArrayList<>(new LinkedHashSet<>(kinds));
        Collections.shuffle(distinct, random);
        final List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Kind kind = i < distinct.size() ? distinct.get(i) : kinds.get(random.nextInt(kinds.size()));
            final long duration;
            switch (kind)
            {
                case PAUSE_LEADER:
                case PAUSE_FOLLOWER:
                    duration = random.nextBoolean() ? 200 + random.nextInt(400) : 600 + random.nextInt(4400);
                    break;
                case KILL_LEADER:
                case KILL_FOLLOWER:
                    duration = 200 + random.nextInt(2800);
                    break;
                case FLAP:
                    duration = 2000 + random.nextInt(3000);
                    break;
                case HOLD:
                    duration = 2000 + random.nextInt(4000);
                    break;
                default:
                    duration = 1000 + random.nextInt(4000);
                    break;
            }
            faults.add(new Fault(kind, duration, 300 + random.nextInt(1200)));
        }
        return faults;
    }

    /**
     * Run the faults in order; fails (with the group's status) if the group does not recover from one.
     */
    void run(final List<Fault> faults)
    {
        int leader = GroupProbe.awaitHealthy(topology, 0, RECOVERY_TIMEOUT_MS);
        for (int i = 0; i < faults.size(); i++)
        {
            final Fault fault = faults.get(i);
            final int follower = (leader + 1 + random.nextInt(members.length - 1)) % members.length;
            final int target = fault.kind().name().contains("FOLLOWER") ? follower : leader;
            final String line = "NEMESIS fault " + (i + 1) + "/" + faults.size() + " " + fault.kind() + " member=" +
                target + " leader=" + leader + " for " + fault.durationMs() + " ms";
            System.out.println(line);
            log.add(line);
            final long start = System.nanoTime();
            inject(fault, target);
            leader = GroupProbe.awaitHealthy(topology, 0, RECOVERY_TIMEOUT_MS);
            final String recovered = "NEMESIS recovered from " + fault.kind() + " in " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms (fault included), leader=" + leader;
            System.out.println(recovered);
            log.add(recovered);
            GroupProbe.pause(fault.gapMs());
        }
    }

    List<String> log()
    {
        return log;
    }

    private void inject(final Fault fault, final int target)
    {
        final MemberProcess member = members[target];
        switch (fault.kind())
        {
            case KILL_LEADER:
            case KILL_FOLLOWER:
                member.kill();
                GroupProbe.pause(fault.durationMs());
                member.start(false, 60_000);
                break;
            case PAUSE_LEADER:
            case PAUSE_FOLLOWER:
                member.pause();
                try
                {
                    GroupProbe.pause(fault.durationMs());
                }
                finally
                {
                    member.resume();
                }
                break;
            case ISOLATE_LEADER:
            case ISOLATE_FOLLOWER:
                partitioned(fault.durationMs(), () -> lab.isolate(target));
                break;
            case LEADER_CANNOT_SEND:
                partitioned(fault.durationMs(), () ->
                {
                    for (int o = 0; o < members.length; o++)
                    {
                        if (o != target)
                        {
                            lab.cut(target, o);
                        }
                    }
                });
                break;
            case FLAP:
                flap(fault.durationMs());
                break;
            case HOLD:
                GroupProbe.pause(fault.durationMs());
                break;
            default:
                throw new IllegalStateException("unknown fault " + fault.kind());
        }
    }

    private void partitioned(final long durationMs, final Runnable cut)
    {
        try
        {
            cut.run();
            GroupProbe.pause(durationMs);
        }
        finally
        {
            lab.healAll();
        }
    }

    /**
     * Isolate a random member, heal, isolate another, ... every 0.2-0.7 s for {@code durationMs}.
     */
    private void flap(final long durationMs)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        try
        {
            while (System.nanoTime() < end)
            {
                lab.isolate(random.nextInt(members.length));
                GroupProbe.pause(200 + random.nextInt(500));
                lab.healAll();
                GroupProbe.pause(100 + random.nextInt(300));
            }
        }
        finally
        {
            lab.healAll();
        }
    }
}
