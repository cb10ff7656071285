package io.ferrite.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class RebalancePlannerTest
{
    @Test
    void shouldPlanNothingForABalancedCluster()
    {
        assertEquals(List.of(), RebalancePlanner.plan(PartitionMap.initial(271, 3), null, null, 0,
            RebalancePlanner.Balance.PARTITIONS));
    }

    @Test
    void shouldFillANewGroupWithTheMinimalMoves()
    {
        final PartitionMap twoOfThree = onGroups(271, 3, 2);
        final List<PlannedMove> moves = RebalancePlanner.plan(twoOfThree, null, null, 0,
            RebalancePlanner.Balance.PARTITIONS);
        // targets 91, 90, 90 (largest remainder); counts 136, 135, 0: exactly the surplus of 45 + 45 moves
        assertEquals(90, moves.size(), "the plan must move only the surplus");
        final PartitionMap after = apply(twoOfThree, moves);
        assertArrayEquals(new int[]{ 91, 90, 90 }, after.counts());
        assertEachPartitionOnce(moves);
        for (final PlannedMove move : moves)
        {
            assertEquals(2, move.toGroup(), "every move goes to the new group: " + move);
            assertEquals(twoOfThree.owner(move.partition()), move.fromGroup(), "from-group must own it: " + move);
        }
    }

    @Test
    void shouldFollowWeights()
    {
        final List<PlannedMove> moves = RebalancePlanner.plan(PartitionMap.initial(270, 2), null,
            new double[]{ 2, 1 }, 0, RebalancePlanner.Balance.PARTITIONS);
        assertArrayEquals(new int[]{ 180, 90 }, apply(PartitionMap.initial(270, 2), moves).counts());
        assertEquals(45, moves.size());
    }

    @Test
    void shouldDrainAGroupOfWeightZero()
    {
        final PartitionMap map = PartitionMap.initial(271, 3);
        final List<PlannedMove> moves = RebalancePlanner.plan(map, null, new double[]{ 1, 0, 1 }, 0,
            RebalancePlanner.Balance.PARTITIONS);
        final int[] counts = apply(map, moves).counts();
        assertEquals(0, counts[1], "group 1 must be drained");
        assertEquals(271, counts[0] + counts[2]);
        assertTrue(Math.abs(counts[0] - counts[2]) <= 1);
        assertEquals(90, moves.size(), "only group 1's partitions move");
    }

    @Test
    void shouldRespectTheThreshold()
    {
        final int[] owners = new int[100];
        for (int p = 0; p < 100; p++)
        {
            owners[p] = p < 52 ? 0 : 1;
        }
        final PartitionMap map = new PartitionMap(3, 2, owners);
        assertEquals(0, RebalancePlanner.plan(map, null, null, 5, RebalancePlanner.Balance.PARTITIONS).size(),
            "52/48 is within 5% of 50");
        assertEquals(2, RebalancePlanner.plan(map, null, null, 1, RebalancePlanner.Balance.PARTITIONS).size());
    }

    @Test
    void shouldEvenOutBytesWithoutMovingAPartitionTwice()
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final PartitionMap map = onGroups(64, 2, 1);
        final long[] sizes = new long[64];
        for (int p = 0; p < 64; p++)
        {
            sizes[p] = 1000 + random.nextInt(100_000);
        }
        final List<PlannedMove> moves = RebalancePlanner.plan(map, sizes, null, 0, RebalancePlanner.Balance.BYTES);
        assertEachPartitionOnce(moves);
        final long[] load = new long[2];
        final PartitionMap after = apply(map, moves);
        long total = 0;
        long largest = 0;
        for (int p = 0; p < 64; p++)
        {
            load[after.owner(p)] += sizes[p];
            total += sizes[p];
            largest = Math.max(largest, sizes[p]);
        }
        assertTrue(Math.abs(load[0] - load[1]) <= largest,
            "imbalance " + Math.abs(load[0] - load[1]) + " of " + total + " bytes must be within one partition " +
            "(seed " + seed + ")");
    }

    @Test
    void shouldRejectImpossibleWeights()
    {
        final PartitionMap map = PartitionMap.initial(16, 2);
        assertThrows(IllegalArgumentException.class, () -> RebalancePlanner.plan(map, null, new double[]{ 0, 0 }, 0,
            RebalancePlanner.Balance.PARTITIONS));
        assertThrows(IllegalArgumentException.class, () -> RebalancePlanner.plan(map, null, new double[]{ 1 }, 0,
            RebalancePlanner.Balance.PARTITIONS));
        assertThrows(IllegalArgumentException.class, () -> RebalancePlanner.plan(map, null, null, 0,
            RebalancePlanner.Balance.BYTES));
    }

    private static PartitionMap onGroups(final int partitions, final int groups, final int used)
    {
        final int[] owners = new int[partitions];
        for (int p = 0; p < partitions; p++)
        {
            owners[p] = p % used;
        }
        return new PartitionMap(1, groups, owners);
    }

    private static PartitionMap apply(final PartitionMap map, final List<PlannedMove> moves)
    {
        PartitionMap result = map;
        for (final PlannedMove move : moves)
        {
            result = result.with(move.partition(), move.toGroup(), result.epoch() + 1);
        }
        return result;
    }

    private static void assertEachPartitionOnce(final List<PlannedMove> moves)
    {
        final Set<Integer> seen = new HashSet<>();
        for (final PlannedMove move : moves)
        {
            assertTrue(seen.add(move.partition()), "partition " + move.partition() + " moved twice");
        }
    }
}
