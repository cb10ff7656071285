package io.ferrite.bench.sim;

/**
 * One cache under test: replays a trace as "get, and on a miss put" at a capacity in entries.
 */
interface ReplayPolicy
{
    /**
     * The label used in tables and plots.
     */
    String name();

    /**
     * Replay every request of {@code trace} against a new, empty cache of {@code capacity} entries.
     *
     * @return the number of hits.
     */
    long replay(Trace trace, int capacity);
}
