package io.ferrite.replication.linearizability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a history of operations on one register is linearizable: whether some total order of the
 * operations, consistent with real time (an operation that returned before another was invoked comes first),
 * explains every result. Registers are independent, so a multi-key history is checked key by key.
 * <p>
 * The search is Wing and Gong's: walk the events in time order; at a call, try to linearize that operation now
 * (its result must be legal in the current state), lifting it out of the history; at a return whose operation
 * was not linearized yet, backtrack. Lowe's memoization (visited sets of linearized operations together with the
 * register state) prunes repeated work. Operations with unknown outcomes return at infinity, so they may take
 * effect at any point after their invocation, or never.
 */
public final class LinearizabilityChecker
{
    private LinearizabilityChecker()
    {
    }

    /** States the search may remember before it gives up on one history (each costs about 100 bytes). */
    public static final int DEFAULT_MAX_STATES = 2_000_000;

    /**
     * The verdict on one history.
     */
    public enum Result
    {
        LINEARIZABLE, VIOLATION, UNDECIDED
    }

    /**
     * @param initial the register's value before the history (null: absent).
     * @return true if the history is linearizable.
     * @throws IllegalStateException if the search needs more than {@link #DEFAULT_MAX_STATES} states.
     */
    public static boolean check(final List<Operation> history, final Object initial)
    {
        final Result result = check(history, initial, DEFAULT_MAX_STATES);
        if (Result.UNDECIDED == result)
        {
            throw new IllegalStateException("history of " + history.size() + " operations needs more than " +
                DEFAULT_MAX_STATES + " search states");
        }
        return Result.LINEARIZABLE == result;
    }

    /**
     * Decide a history within a bound on remembered search states. Operations whose outcome is unknown and whose
     * value nobody observed are first left out (taking effect never is one of their possibilities, so acceptance
     * without them is acceptance); only if that fails is the whole history searched.
     *
     * @param maxStates give up (UNDECIDED) once the search has remembered this many states.
     */
    public static Result check(final List<Operation> history, final Object initial, final int maxStates)
    {
        final Set<String> observed = new HashSet<>();
        for (final Operation op : history)
        {
            if (op.kind == Operation.Kind.READ && !op.isUnknown() && null != op.value)
            {
                observed.add(op.value);
            }
            if (op.kind == Operation.Kind.CAS && null != op.expected)
            {
                observed.add(op.expected);
            }
        }
        final List<Operation> pruned = new ArrayList<>();
        boolean prunedAny = false;
        for (final Operation op : history)
        {
            final boolean invisible = op.isUnknown() && op.kind != Operation.Kind.DELETE &&
                op.kind != Operation.Kind.EXPIRE && !observed.contains(op.value);
            if (invisible && op.kind != Operation.Kind.READ)
            {
                prunedAny = true;
            }
            else
            {
                pruned.add(op);
            }
        }
        final Result first = search(pruned, initial, maxStates);
        if (Result.LINEARIZABLE == first || !prunedAny)
        {
            return first;
        }
        return search(history, initial, maxStates);
    }

    private static Result search(final List<Operation> history, final Object initial, final int maxStates)
    {
        final List<Operation> ops = new ArrayList<>();
        for (final Operation op : history)
        {
            if (!(op.kind == Operation.Kind.READ && op.isUnknown()))
            {
                ops.add(op);
            }
        }
        final Event head = buildEvents(ops);
        final BitSet linearized = new BitSet(ops.size());
        final Set<CacheKey> cache = new HashSet<>();
        final Deque<Frame> stack = new ArrayDeque<>();
        Object state = initial;
        Event entry = head.next;
        while (null != head.next)
        {
            if (entry.isCall)
            {
                final Object next = entry.op.step(state);
                boolean advanced = false;
                if (next != Operation.ILLEGAL)
                {
                    final BitSet candidate = (BitSet)linearized.clone();
                    candidate.set(entry.index);
                    if (cache.size() >= maxStates)
                    {
                        return Result.UNDECIDED;
                    }
                    if (cache.add(new CacheKey(candidate, next)))
                    {
                        stack.push(new Frame(entry, state));
                        state = next;
                        linearized.set(entry.index);
                        lift(entry);
                        entry = head.next;
                        advanced = true;
                    }
                }
                if (!advanced)
                {
                    entry = entry.next;
                }
            }
            else
            {
                if (stack.isEmpty())
                {
                    return Result.VIOLATION;
                }
                final Frame frame = stack.pop();
                state = frame.state;
                linearized.clear(frame.call.index);
                unlift(frame.call);
                entry = frame.call.next;
            }
        }
        return Result.LINEARIZABLE;
    }

    private static Event buildEvents(final List<Operation> ops)
    {
        final List<Event> events = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++)
        {
            final Operation op = ops.get(i);
            final Event call = new Event(op, i, true, op.invokeNs);
            final Event ret = new Event(op, i, false, op.returnNs);
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        events.sort((a, b) ->
        {
            final int byTime = Long.compare(a.time, b.time);
            if (0 != byTime)
            {
                return byTime;
            }
            return Boolean.compare(!a.isCall, !b.isCall);
        });
        final Event head = new Event(null, -1, false, Long.MIN_VALUE);
        Event previous = head;
        for (final Event event : events)
        {
            previous.next = event;
            event.prev = previous;
            previous = event;
        }
        return head;
    }

    private static void lift(final Event call)
    {
        call.prev.next = call.next;
        if (null != call.next)
        {
            call.next.prev = call.prev;
        }
        final Event ret = call.match;
        ret.prev.next = ret.next;
        if (null != ret.next)
        {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(final Event call)
    {
        final Event ret = call.match;
        ret.prev.next = ret;
        if (null != ret.next)
        {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (null != call.next)
        {
            call.next.prev = call;
        }
    }

    private static final class Event
    {
        final Operation op;
        final int index;
        final boolean isCall;
        final long time;
        Event match;
        Event prev;
        Event next;

        Event(final Operation op, final int index, final boolean isCall, final long time)
        {
            this.op = op;
            this.index = index;
            this.isCall = isCall;
            this.time = time;
        }
    }

    private static final class Frame
    {
        final Event call;
        final Object state;

        Frame(final Event call, final Object state)
        {
            this.call = call;
            this.state = state;
        }
    }

    private static final class CacheKey
    {
        final BitSet linearized;
        final Object state;

        CacheKey(final BitSet linearized, final Object state)
        {
            this.linearized = linearized;
            this.state = state;
        }

        public boolean equals(final Object o)
        {
            return o instanceof CacheKey && ((CacheKey)o).linearized.equals(linearized) &&
                Objects.equals(((CacheKey)o).state, state);
        }

        public int hashCode()
        {
            return linearized.hashCode() * 31 + Objects.hashCode(state);
        }
    }
}
