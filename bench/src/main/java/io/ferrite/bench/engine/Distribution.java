package io.ferrite.bench.engine;

/**
 * How benchmark keys are drawn from the key set.
 */
public enum Distribution
{
    /** Every key equally likely. */
    UNIFORM,
    /** Zipf with exponent {@link BenchmarkKeys#ZIPF_EXPONENT} over all keys, ranks mapped to keys at random. */
    ZIPF
}
