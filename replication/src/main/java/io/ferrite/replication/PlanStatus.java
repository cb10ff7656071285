package io.ferrite.replication;

import java.util.List;

/**
 * The rebalance plan recorded in group 0: its id (0 before any) and its moves. <b>Note:</b> immutable.
 *
 * @param planId the plan's id, increasing with every plan submitted.
 * @param moves  the moves in order.
 */
public record PlanStatus(long planId, List<MoveStatus> moves)
{
    public PlanStatus
    {
        moves = List.copyOf(moves);
    }

    /**
     * The first move not yet done or cancelled, or null.
     */
    public MoveStatus running()
    {
        for (final MoveStatus move : moves)
        {
            if (!move.isFinished())
            {
                return move;
            }
        }
        return null;
    }
}
