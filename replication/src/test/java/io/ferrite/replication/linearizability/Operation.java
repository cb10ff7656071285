package io.ferrite.replication.linearizability;

import java.util.Objects;

/**
 * One operation on one register in a recorded history: invoked at {@code invokeNs}, answered at {@code returnNs}
 * ({@link Long#MAX_VALUE} when the client never learned the outcome: it may take effect at any later time or
 * never). The register holds a string or is absent (null); every operation the replicated cache offers on one key
 * is a kind here, and a TTL's expiry is a pseudo-operation ({@link #expire}) placed where the expiry can happen.
 */
public final class Operation
{
    public enum Kind
    {
        READ, WRITE, CAS, DELETE, PUT_IF_ABSENT, REPLACE, EXPIRE
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
     * A write (upsert) of {@code value}; {@code returnNs} is {@link Long#MAX_VALUE} if unacknowledged.
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

    /**
     * A delete that answered {@code ok} (an entry was removed); unknown as for {@link #cas}.
     */
    public static Operation delete(final int id, final boolean ok, final long invokeNs, final long returnNs)
    {
        return new Operation(id, Kind.DELETE, null, null, ok, invokeNs, returnNs);
    }

    /**
     * A put-if-absent of {@code value} that answered {@code ok} (stored); unknown as for {@link #cas}.
     */
    public static Operation putIfAbsent(
        final int id, final String value, final boolean ok, final long invokeNs, final long returnNs)
    {
        return new Operation(id, Kind.PUT_IF_ABSENT, value, null, ok, invokeNs, returnNs);
    }

    /**
     * A replace (store only if present) of {@code value} that answered {@code ok}; unknown as for {@link #cas}.
     */
    public static Operation replace(
        final int id, final String value, final boolean ok, final long invokeNs, final long returnNs)
    {
        return new Operation(id, Kind.REPLACE, value, null, ok, invokeNs, returnNs);
    }

    /**
     * The expiry of the entry a TTL write of {@code value} made: if the register still holds {@code value} it
     * becomes absent, otherwise nothing happens. The interval is when the expiry can take effect; with
     * {@link Long#MAX_VALUE} as {@code returnNs} it may take effect at any time after {@code invokeNs}.
     */
    public static Operation expire(final int id, final String value, final long invokeNs, final long returnNs)
    {
        return new Operation(id, Kind.EXPIRE, value, null, true, invokeNs, returnNs);
    }

    public int id()
    {
        return id;
    }

    public Kind kind()
    {
        return kind;
    }

    public String value()
    {
        return value;
    }

    public boolean ok()
    {
        return ok;
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
     * Whether this operation may change the register (reads never do).
     */
    public boolean isMutation()
    {
        return Kind.READ != kind;
    }

    /**
     * Apply to a register holding {@code state}: the next state, or {@link #ILLEGAL} if this operation's recorded
     * outcome is impossible from {@code state}.
     */
    Object step(final Object state)
    {
        final boolean present = null != state;
        switch (kind)
        {
            case READ:
                return Objects.equals(state, value) ? state : ILLEGAL;
            case WRITE:
                return value;
            case CAS:
                return conditional(Objects.equals(state, expected), state);
            case DELETE:
                if (isUnknown())
                {
                    return null;
                }
                return ok == present ? null : ILLEGAL;
            case PUT_IF_ABSENT:
                return conditional(!present, state);
            case REPLACE:
                return conditional(present, state);
            default:
                return Objects.equals(state, value) ? null : state;
        }
    }

    /**
     * A store-if-condition operation: stores {@link #value} when {@code holds}, reporting {@link #ok} accordingly.
     */
    private Object conditional(final boolean holds, final Object state)
    {
        if (isUnknown())
        {
            return holds ? value : state;
        }
        if (ok)
        {
            return holds ? value : ILLEGAL;
        }
        return holds ? ILLEGAL : state;
    }

    static final Object ILLEGAL = new Object();

    public String toString()
    {
        final String args;
        switch (kind)
        {
            case CAS:
                args = "(" + expected + "->" + value + ")=" + ok;
                break;
            case DELETE:
                args = "=" + ok;
                break;
            case PUT_IF_ABSENT:
            case REPLACE:
                args = "(" + value + ")=" + ok;
                break;
            default:
                args = "(" + value + ")";
                break;
        }
        return "#" + id + " " + kind + args + " [" + invokeNs + ", " + (isUnknown() ? "?" : returnNs) + "]";
    }
}
