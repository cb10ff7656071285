package io.ferrite.engine;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;

/**
 * One step of a random operation sequence run against a store and a reference model.
 */
final class StoreOp
{
    enum Kind
    {
        PUT, PUT_WITH_TTL, PUT_IF_ABSENT, REPLACE, GET, CONTAINS, DELETE, ADVANCE_CLOCK, REOPEN
    }

    final Kind kind;
    final int key;
    final int valueLength;
    /** TTL of a put in ms, or the clock advance in ms. */
    final long millis;

    StoreOp(final Kind kind, final int key, final int valueLength, final long millis)
    {
        this.kind = kind;
        this.key = key;
        this.valueLength = valueLength;
        this.millis = millis;
    }

    String keyName()
    {
        return "key-" + key;
    }

    public String toString()
    {
        switch (kind)
        {
            case PUT:
            case PUT_IF_ABSENT:
            case REPLACE:
                return kind + "(" + keyName() + ", " + valueLength + " B)";
            case PUT_WITH_TTL:
                return kind + "(" + keyName() + ", " + valueLength + " B, ttl " + millis + " ms)";
            case ADVANCE_CLOCK:
                return kind + "(" + millis + " ms)";
            case REOPEN:
                return kind.toString();
            default:
                return kind + "(" + keyName() + ")";
        }
    }

    /**
     * Operations over {@code keySpace} keys with values of up to {@code maxValueLength} bytes: mostly puts and
     * gets, some conditional puts, deletes, TTL puts, clock advances and (for a persistent store) clean restarts.
     */
    static Arbitrary<StoreOp> ops(final int keySpace, final int maxValueLength)
    {
        final Arbitrary<Kind> kinds = Arbitraries.integers().between(0, 99).map(StoreOp::kindFor);
        return Combinators.combine(
            kinds,
            Arbitraries.integers().between(0, keySpace - 1).withDistribution(RandomDistribution.uniform()),
            Arbitraries.integers().between(0, maxValueLength).withDistribution(RandomDistribution.uniform()),
            Arbitraries.longs().between(1, 200))
            .as(StoreOp::new);
    }

    private static Kind kindFor(final int percent)
    {
        if (percent < 30)
        {
            return Kind.PUT;
        }
        if (percent < 38)
        {
            return Kind.PUT_WITH_TTL;
        }
        if (percent < 44)
        {
            return Kind.PUT_IF_ABSENT;
        }
        if (percent < 50)
        {
            return Kind.REPLACE;
        }
        if (percent < 78)
        {
            return Kind.GET;
        }
        if (percent < 83)
        {
            return Kind.CONTAINS;
        }
        if (percent < 93)
        {
            return Kind.DELETE;
        }
        if (percent < 98)
        {
            return Kind.ADVANCE_CLOCK;
        }
        return Kind.REOPEN;
    }
}
