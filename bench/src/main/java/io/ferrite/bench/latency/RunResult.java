package io.ferrite.bench.latency;

import org.HdrHistogram.Histogram;

/**
 * What one run of one target measured. Latencies in nanoseconds.
 */
final class RunResult
{
    final String scenario;
    final String target;
    final String method;
    final double targetRate;
    final double achievedRate;
    final Histogram get;
    final Histogram put;
    final Histogram all;
    final Histogram sendLag;
    final long measured;
    final long misses;
    final long errors;
    final long abandoned;
    final long errorsTotal;
    final long expectedIntervalNs;
    String description = "";
    String loadBefore = "";
    String loadAfter = "";
    String state = "";
    String cpu = "";

    RunResult(
        final String scenario,
        final String target,
        final String method,
        final double targetRate,
        final double achievedRate,
        final RunRecorder recorder)
    {
        this.scenario = scenario;
        this.target = target;
        this.method = method;
        this.targetRate = targetRate;
        this.achievedRate = achievedRate;
        this.get = recorder.histogram(LoadTarget.GET);
        this.put = recorder.histogram(LoadTarget.PUT);
        this.all = get.copy();
        this.all.add(put);
        this.sendLag = recorder.sendLagHistogram();
        this.measured = recorder.measured();
        this.misses = recorder.misses();
        this.errors = recorder.errors();
        this.abandoned = recorder.abandoned();
        this.errorsTotal = recorder.errorsTotal();
        this.expectedIntervalNs = recorder.expectedIntervalNs();
    }

    Histogram histogram(final String op)
    {
        switch (op)
        {
            case "get":
                return get;
            case "put":
                return put;
            default:
                return all;
        }
    }
}
