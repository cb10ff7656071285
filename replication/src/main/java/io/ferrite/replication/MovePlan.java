package io.ferrite.replication;

import io.ferrite.codec.sbe.MoveState;

import java.util.ArrayList;
import java.util.List;

/**
 * The rebalance plan recorded in group 0's state: its moves and how far each has got, so any machine can show
 * progress and a new CLI can resume what a dead one started. <b>Note:</b> not thread-safe; replicated state.
 */
final class MovePlan
{
    private long planId;
    private final List<Move> moves = new ArrayList<>();

    long planId()
    {
        return planId;
    }

    List<Move> moves()
    {
        return moves;
    }

    /**
     * The first unfinished move, or null when every move is done or cancelled.
     */
    Move running()
    {
        for (final Move move : moves)
        {
            if (MoveState.DONE != move.state && MoveState.CANCELLED != move.state)
            {
                return move;
            }
        }
        return null;
    }

    /**
     * The unfinished move of {@code partition}, or null.
     */
    Move runningMoveOf(final int partition)
    {
        for (final Move move : moves)
        {
            if (move.partition == partition && MoveState.DONE != move.state && MoveState.CANCELLED != move.state)
            {
                return move;
            }
        }
        return null;
    }

    void replace(final long newPlanId, final List<Move> newMoves)
    {
        planId = newPlanId;
        moves.clear();
        moves.addAll(newMoves);
    }

    /**
     * One partition's move and its progress.
     */
    static final class Move
    {
        final int partition;
        final int fromGroup;
        final int toGroup;
        MoveState state = MoveState.PLANNED;
        long entries;
        long bytes;
        long mapEpoch;

        Move(final int partition, final int fromGroup, final int toGroup)
        {
            this.partition = partition;
            this.fromGroup = fromGroup;
            this.toGroup = toGroup;
        }
    }
}
