package io.ferrite.replication;

/**
 * One move a planner proposes: {@code partition} from {@code fromGroup} to {@code toGroup}.
 * <b>Note:</b> immutable.
 *
 * @param partition the partition.
 * @param fromGroup the group that owns it now.
 * @param toGroup   the group that will own it.
 */
public record PlannedMove(int partition, int fromGroup, int toGroup)
{
}
