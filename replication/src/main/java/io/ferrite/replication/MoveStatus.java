package io.ferrite.replication;

/**
 * One move of a rebalance plan as group 0 records it: partition, groups, state and progress.
 * <b>Note:</b> immutable.
 *
 * @param index     position in the plan.
 * @param partition the partition moved.
 * @param fromGroup its group before the move.
 * @param toGroup   its group after.
 * @param state     PLANNED, COPYING, CUTOVER, DONE or CANCELLED.
 * @param entries   entries copied so far.
 * @param bytes     bytes (keys and values) copied so far.
 * @param mapEpoch  the map epoch at which the target owns it, once cut over.
 */
public record MoveStatus(
    int index, int partition, int fromGroup, int toGroup, String state, long entries, long bytes, long mapEpoch)
{
    public boolean isFinished()
    {
        return "DONE".equals(state) || "CANCELLED".equals(state);
    }
}
