package io.ferrite.bench.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Records the latencies of one run of one target, per operation, for requests whose tag (intended or actual send
 * time) falls in the measurement window; earlier ones are warm-up. Values are nanoseconds.
 * <p>
 * <b>Note:</b> {@link #onComplete(int, long, int)} may be called from any number of threads (HdrHistogram
 * {@link Recorder}s are wait-free for writers); the window and the expected interval are set before the sender
 * starts or published through volatile fields.
 */
final class RunRecorder implements CompletionListener
{
    private final Recorder[] byOp = { new Recorder(3), new Recorder(3) };
    private final Recorder sendLag = new Recorder(3);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong measured = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong errorsTotal = new AtomicLong();
    private final AtomicLong lastMeasuredCompletionNs = new AtomicLong();
    private volatile long windowStartNs = Long.MAX_VALUE;
    private volatile long windowEndNs = Long.MAX_VALUE;
    private volatile long expectedIntervalNs;

    /**
     * Only requests tagged in [{@code startNs}, {@code endNs}) are recorded.
     */
    void window(final long startNs, final long endNs)
    {
        windowEndNs = endNs;
        windowStartNs = startNs;
    }

    long windowStartNs()
    {
        return windowStartNs;
    }

    long windowEndNs()
    {
        return windowEndNs;
    }

    /**
     * Closed loop only: record with {@link Recorder#recordValueWithExpectedInterval(long, long)} using this
     * interval (0, the default, records plain values: right for the open loop, where latency already starts at the
     * intended send time).
     */
    void expectedIntervalNs(final long expectedIntervalNs)
    {
        this.expectedIntervalNs = expectedIntervalNs;
    }

    long expectedIntervalNs()
    {
        return expectedIntervalNs;
    }

    public void onComplete(final int op, final long tagNs, final int status)
    {
        final long now = System.nanoTime();
        completed.incrementAndGet();
        if (ERROR == status)
        {
            errorsTotal.incrementAndGet();
        }
        if (tagNs - windowStartNs < 0 || tagNs - windowEndNs >= 0)
        {
            return;
        }
        if (ERROR == status)
        {
            errors.incrementAndGet();
            return;
        }
        if (MISS == status)
        {
            misses.incrementAndGet();
        }
        final long latency = now - tagNs;
        final long interval = expectedIntervalNs;
        if (interval > 0)
        {
            byOp[op].recordValueWithExpectedInterval(latency, interval);
        }
        else
        {
            byOp[op].recordValue(latency);
        }
        measured.incrementAndGet();
        lastMeasuredCompletionNs.accumulateAndGet(now, Math::max);
    }

    /**
     * A request that was never sent because the run hit its hard stop: if it belongs to the window, it is counted
     * and recorded with {@code stopNs - tagNs}, a lower bound of the latency it would have had (leaving it out would
     * hide exactly the requests a slow target delays most).
     */
    void abandon(final int op, final long tagNs, final long stopNs)
    {
        if (tagNs - windowStartNs >= 0 && tagNs - windowEndNs < 0)
        {
            abandoned.incrementAndGet();
            byOp[op].recordValue(Math.max(0, stopNs - tagNs));
        }
    }

    /**
     * Failed requests, warm-up included.
     */
    long errorsTotal()
    {
        return errorsTotal.get();
    }

    long abandoned()
    {
        return abandoned.get();
    }

    /**
     * Record how late a request was sent after its intended time.
     */
    void sendLag(final long tagNs, final long sentNs)
    {
        if (tagNs - windowStartNs >= 0 && tagNs - windowEndNs < 0)
        {
            sendLag.recordValue(Math.max(0, sentNs - tagNs));
        }
    }

    long completed()
    {
        return completed.get();
    }

    long measured()
    {
        return measured.get();
    }

    long misses()
    {
        return misses.get();
    }

    long errors()
    {
        return errors.get();
    }

    long lastMeasuredCompletionNs()
    {
        return lastMeasuredCompletionNs.get();
    }

    Histogram histogram(final int op)
    {
        return byOp[op].getIntervalHistogram();
    }

    Histogram sendLagHistogram()
    {
        return sendLag.getIntervalHistogram();
    }
}
