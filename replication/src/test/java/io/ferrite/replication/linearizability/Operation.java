package io.ferrite.replication.linearizability;

import java.util.Objects;

/**
 * One operation on one register in a recorded history: invoked at {@code invokeNs}, answered at {@code returnNs}
 * ({@link Long#MAX_VALUE} when the client never learned the outcome: it may take effect at any later time or
 * never).
 */
public final class Operation
{
    public enum Kind
    {
        READ, WRITE, CAS
    }

    final int id;
    final Kind kind;
    final String value;
    final String expected;
    final boolean ok;
    final long invokeNs;
    final long returnNs;

    private Operation(
        final int id, final Kind kind, final String value, final String expected, final boolean ok,
        final long invokeNs, final long returnNs)
    {
        this.id = id;
        this.kind = kind;
        this.value = value;
        this.expected = expected;
        this.ok = ok;
        this.invokeNs = invokeNs;
        this.returnNs = returnNs;
    }

    /**
     * A read that returned {@code value} (null: absent).
     */
    public static Operation read(final int id, final String value, final long invokeNs, final long returnNs)
    {
        return new Operation(id, Kind.READ, value, null, true, invokeNs, returnNs);
    }

    /**
     * A write of {@code value}; {@code returnNs} is {@link Long#MAX_VALUE} if unacknowledged.
     */
    public static Operation write(final int id, final String value, final long invokeNs, final long returnNs)
    {
        return new Operation(id, Kind.WRITE, value, null, true, invokeNs, returnNs);
    }

    /**
     * A compare-and-set from {@code expected} to {@code value} that answered {@code ok}; for an unknown outcome
     * pass {@link Long#MAX_VALUE} as {@code returnNs} (then {@code ok} is ignored).
     */
    public static Operation cas(
        final int id, final String expected, final String value, final boolean ok, final long invokeNs,
        final long returnNs)
    {
        return new Operation(id, Kind.CAS, value, expected, ok, invokeNs, returnNs);
    }

    public Kind kind()
    {
        return kind;
    }

    public String value()
    {
        return value;
    }

    public long invokeNs()
    {
        return invokeNs;
    }

    public long returnNs()
    {
        return returnNs;
    }

    public boolean isUnknown()
    {
        return Long.MAX_VALUE == returnNs;
    }

    /**
     * Apply to a register holding {@code state}: the next state, or {@link #ILLEGAL} if this operation's recorded
     * outcome is impossible from {@code state}.
     */
    Object step(final Object state)
    {
        switch (kind)
        {
            case READ:
                return Objects.equals(state, value) ? state : ILLEGAL;
            case WRITE:
                return value;
            default:
                final boolean matches = Objects.equals(state, expected);
                if (isUnknown())
                {
                    return matches ? value : state;
                }
                if (ok)
                {
                    return matches ? value : ILLEGAL;
                }
                return matches ? ILLEGAL : state;
        }
    }

    static final Object ILLEGAL = new Object();

    public String toString()
    {
        return "#" + id + " " + kind + (kind == Kind.CAS ? "(" + expected + "->" + value + ")=" + ok : "(" + value +
            ")") + " [" + invokeNs + ", " + (isUnknown() ? "?" : returnNs) + "]";
    }
}
