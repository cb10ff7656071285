package io.ferrite.replication;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Proposes the moves that even out a partition map, by partition count or by bytes, with a weight per group
 * (weight 0 drains a group: scale-in) and a threshold below which nothing moves (redis-cli's
 * {@code --cluster rebalance --weight --threshold} vocabulary).
 * <p>
 * By count the plan is minimal: each group's target is its weighted share (largest remainder rounding), and only
 * the surplus over the targets moves, each partition at most once. By bytes it is greedy: the largest partition
 * that fits the gap between the most loaded and the least loaded group moves, while a move still narrows the
 * gap. Deterministic: the same map gives the same plan. <b>Note:</b> stateless and thread-safe.
 */
public final class RebalancePlanner
{
    /**
     * What to even out.
     */
    public enum Balance
    {
        /** The number of partitions per group. */
        PARTITIONS,
        /** The bytes (keys and values) per group; needs the size of each partition. */
        BYTES
    }

    private RebalancePlanner()
    {
    }

    /**
     * @param map              the current map.
     * @param partitionBytes   bytes of each partition (required for {@link Balance#BYTES}, else may be null).
     * @param weights          one per group, each >= 0 and at least one > 0; null for equal weights.
     * @param thresholdPercent move nothing unless some group is further than this from its target (in percent of
     *                         the target, or of the average share for a drained group).
     * @return the moves, in order.
     * @throws IllegalArgumentException for weights that cannot form a plan.
     */
    public static List<PlannedMove> plan(
        final PartitionMap map, final long[] partitionBytes, final double[] weights, final double thresholdPercent,
        final Balance balance)
    {
        final int groups = map.groupCount();
        final double[] w = null == weights ? filled(groups, 1.0) : weights.clone();
        if (w.length != groups)
        {
            throw new IllegalArgumentException("need one weight per group (" + groups + "), got " + w.length);
        }
        double sum = 0;
        for (final double weight : w)
        {
            if (weight < 0 || Double.isNaN(weight))
            {
                throw new IllegalArgumentException("weights must be >= 0: " + Arrays.toString(w));
            }
            sum += weight;
        }
        if (sum <= 0)
        {
            throw new IllegalArgumentException("at least one group needs a weight above 0");
        }
        final long[] sizes = new long[map.partitionCount()];
        if (Balance.BYTES == balance)
        {
            if (null == partitionBytes || partitionBytes.length != sizes.length)
            {
                throw new IllegalArgumentException("balancing bytes needs the size of every partition");
            }
            System.arraycopy(partitionBytes, 0, sizes, 0, sizes.length);
        }
        else
        {
            Arrays.fill(sizes, 1);
        }
        return Balance.BYTES == balance ?
            byBytes(map, sizes, w, sum, thresholdPercent) : byCount(map, w, sum, thresholdPercent);
    }

    private static List<PlannedMove> byCount(
        final PartitionMap map, final double[] w, final double sum, final double thresholdPercent)
    {
        final int groups = map.groupCount();
        final int n = map.partitionCount();
        final long[] targets = largestRemainder(n, w, sum);
        final int[] counts = map.counts();
        if (!exceedsThreshold(toLong(counts), targets, (double)n / groups, thresholdPercent))
        {
            return List.of();
        }
        final List<List<Integer>> owned = partitionsByGroup(map);
        final List<Integer> donated = new ArrayList<>();
        final List<Integer> donors = new ArrayList<>();
        for (int g = 0; g < groups; g++)
        {
            final List<Integer> mine = owned.get(g);
            for (long i = counts[g]; i > targets[g]; i--)
            {
                donated.add(mine.remove(mine.size() - 1));
                donors.add(g);
            }
        }
        final List<PlannedMove> moves = new ArrayList<>();
        int next = 0;
        for (int g = 0; g < groups; g++)
        {
            for (long i = counts[g]; i < targets[g]; i++)
            {
                moves.add(new PlannedMove(donated.get(next), donors.get(next), g));
                next++;
            }
        }
        return moves;
    }

    private static List<PlannedMove> byBytes(
        final PartitionMap map, final long[] sizes, final double[] w, final double sum, final double thresholdPercent)
    {
        final int groups = map.groupCount();
        long total = 0;
        final long[] load = new long[groups];
        for (int p = 0; p < sizes.length; p++)
        {
            total += sizes[p];
            load[map.owner(p)] += sizes[p];
        }
        final long[] targets = new long[groups];
        for (int g = 0; g < groups; g++)
        {
            targets[g] = Math.round(total * w[g] / sum);
        }
        final List<PlannedMove> moves = new ArrayList<>();
        if (0 == total || !exceedsThreshold(load, targets, (double)total / groups, thresholdPercent))
        {
            return moves;
        }
        final int[] owner = map.owners();
        final boolean[] moved = new boolean[sizes.length];
        while (true)
        {
            int donor = -1;
            int receiver = -1;
            for (int g = 0; g < groups; g++)
            {
                if (-1 == donor || load[g] - targets[g] > load[donor] - targets[donor])
                {
                    donor = g;
                }
                if (-1 == receiver || targets[g] - load[g] > targets[receiver] - load[receiver])
                {
                    receiver = g;
                }
            }
            final long excess = load[donor] - targets[donor];
            final long deficit = targets[receiver] - load[receiver];
            if (donor == receiver || excess <= 0 || deficit <= 0)
            {
                break;
            }
            int best = -1;
            for (int p = 0; p < sizes.length; p++)
            {
                if (owner[p] != donor || moved[p])
                {
                    continue;
                }
                final long s = sizes[p];
                final boolean narrows = Math.abs(excess - s) + Math.abs(deficit - s) < excess + deficit;
                if (narrows && (-1 == best || better(s, sizes[best], Math.min(excess, deficit)) ||
                    (s == sizes[best] && 0 == w[donor] && p < best)))
                {
                    best = p;
                }
            }
            if (-1 == best && 0 == w[donor])
            {
                for (int p = 0; p < sizes.length && -1 == best; p++)
                {
                    best = owner[p] == donor && !moved[p] ? p : -1;
                }
            }
            if (-1 == best)
            {
                break;
            }
            moved[best] = true;
            owner[best] = receiver;
            load[donor] -= sizes[best];
            load[receiver] += sizes[best];
            moves.add(new PlannedMove(best, donor, receiver));
        }
        return moves;
    }

    /**
     * Prefer the partition closest to {@code gap} from below, then the smallest above it.
     */
    private static boolean better(final long candidate, final long current, final long gap)
    {
        if (candidate <= gap && current <= gap)
        {
            return candidate > current;
        }
        if (candidate <= gap)
        {
            return true;
        }
        return current > gap && candidate < current;
    }

    private static boolean exceedsThreshold(
        final long[] load, final long[] targets, final double average, final double thresholdPercent)
    {
        for (int g = 0; g < load.length; g++)
        {
            final double base = targets[g] > 0 ? targets[g] : Math.max(1, average);
            if (Math.abs(load[g] - targets[g]) * 100.0 / base > thresholdPercent)
            {
                return true;
            }
        }
        return false;
    }

    private static long[] largestRemainder(final int n, final double[] w, final double sum)
    {
        final long[] targets = new long[w.length];
        final double[] remainder = new double[w.length];
        long assigned = 0;
        for (int g = 0; g < w.length; g++)
        {
            final double exact = n * w[g] / sum;
            targets[g] = (long)Math.floor(exact);
            remainder[g] = exact - targets[g];
            assigned += targets[g];
        }
        while (assigned < n)
        {
            int best = 0;
            for (int g = 1; g < w.length; g++)
            {
                if (remainder[g] > remainder[best])
                {
                    best = g;
                }
            }
            targets[best]++;
            remainder[best] = -1;
            assigned++;
        }
        return targets;
    }

    private static List<List<Integer>> partitionsByGroup(final PartitionMap map)
    {
        final List<List<Integer>> owned = new ArrayList<>();
        for (int g = 0; g < map.groupCount(); g++)
        {
            owned.add(new ArrayList<>());
        }
        for (int p = 0; p < map.partitionCount(); p++)
        {
            owned.get(map.owner(p)).add(p);
        }
        return owned;
    }

    private static long[] toLong(final int[] values)
    {
        final long[] result = new long[values.length];
        for (int i = 0; i < values.length; i++)
        {
            result[i] = values[i];
        }
        return result;
    }

    private static double[] filled(final int n, final double value)
    {
        final double[] result = new double[n];
        Arrays.fill(result, value);
        return result;
    }
}
