package io.ferrite.bench.latency;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Drives a started target: open loop (asynchronous sends or blocking threads, each request on a fixed schedule,
 * latency from its intended send time) or closed loop (a fixed number of requests in flight, for saturation).
 */
final class LoadRunner
{
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);
    private static final long START_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(5);
    /** An open-loop run stops sending this long after its schedule ends, however far behind it is. */
    static final long HARD_STOP_GRACE_NS = TimeUnit.SECONDS.toNanos(5);

    private LoadRunner()
    {
    }

    /**
     * Open loop, one sender thread: request {@code i} is intended at {@code start + i / rate} and sent
     * asynchronously as soon as that time has come; it completes on whatever thread the client uses. Latency is
     * completion minus intended time, so a stall delays every request scheduled behind it and is counted in full
     * (no coordinated omission). At most {@code maxInFlight} requests are outstanding.
     */
    static RunResult openAsync(
        final String scenario,
        final LoadTarget target,
        final ListenerSwitch listeners,
        final Workload workload,
        final double rate,
        final long warmupNs,
        final long durationNs,
        final int maxInFlight)
    {
        final RunRecorder recorder = new RunRecorder();
        listeners.listeners(recorder);
        final long total = (long)((warmupNs + durationNs) * rate / 1e9);
        final double periodNs = 1e9 / rate;
        final long base = listeners.completed();
        final long start = System.nanoTime() + START_DELAY_NS;
        recorder.window(start + warmupNs, start + warmupNs + durationNs);
        final long hardStop = start + warmupNs + durationNs + HARD_STOP_GRACE_NS;
        long sent = 0;
        for (long i = 0; i < total; i++)
        {
            final long intended = start + (long)(i * periodNs);
            long now = Pacer.waitUntil(intended);
            int idleCount = 0;
            while (i - (listeners.completed() - base) >= maxInFlight && now - hardStop < 0)
            {
                Pacer.idle(idleCount++);
                now = System.nanoTime();
            }
            if (now - hardStop >= 0)
            {
                abandonRest(recorder, workload, i, total, 1, start, periodNs, now);
                break;
            }
            recorder.sendLag(intended, now);
            target.send(workload.op(i), workload.keyIndex(i), intended);
            target.flush();
            sent++;
        }
        drain(listeners, base + sent);
        return new RunResult(scenario, target.name(), "open loop, async, 1 sender", rate,
            achievedRate(recorder), recorder);
    }

    /**
     * Open loop with blocking calls (wrk2 style): {@code threads} threads share the schedule (thread {@code t}
     * sends requests {@code t, t + threads, ...}); each waits for its request's intended time, calls, and records
     * completion minus intended time. A slow answer makes the thread's next requests late, and that lateness is
     * counted in their latency.
     */
    static RunResult openSync(
        final String scenario,
        final LoadTarget target,
        final Workload workload,
        final double rate,
        final long warmupNs,
        final long durationNs,
        final int threads) throws InterruptedException
    {
        final RunRecorder recorder = new RunRecorder();
        final long total = (long)((warmupNs + durationNs) * rate / 1e9);
        final double periodNs = 1e9 / rate;
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        recorder.window(start + warmupNs, start + warmupNs + durationNs);
        final long hardStop = start + warmupNs + durationNs + HARD_STOP_GRACE_NS;
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            final int first = t;
            workers[t] = new Thread(() ->
            {
                for (long i = first; i < total; i += threads)
                {
                    final long intended = start + (long)(i * periodNs);
                    final long now = Pacer.waitUntil(intended);
                    if (now - hardStop >= 0)
                    {
                        abandonRest(recorder, workload, i, total, threads, start, periodNs, now);
                        break;
                    }
                    recorder.sendLag(intended, now);
                    final int op = workload.op(i);
                    recorder.onComplete(op, intended, target.call(op, workload.keyIndex(i)));
                }
            }, "latency-sync-" + t);
            workers[t].start();
        }
        for (final Thread worker : workers)
        {
            worker.join();
        }
        return new RunResult(scenario, target.name(), "open loop, blocking, " + threads + " thread(s)", rate,
            achievedRate(recorder), recorder);
    }

    /**
     * Closed loop with blocking calls: {@code threads} threads each call back to back for the whole run, so the
     * result is what blocking callers can do (calls per second) and how long one call takes (send to return).
     * An open loop at a rate the callers cannot reach only measures the growing backlog; this mode measures the
     * call itself.
     */
    static RunResult closedSync(
        final String scenario,
        final LoadTarget target,
        final Workload workload,
        final long warmupNs,
        final long durationNs,
        final int threads) throws InterruptedException
    {
        final RunRecorder recorder = new RunRecorder();
        final long start = System.nanoTime();
        final long end = start + warmupNs + durationNs;
        recorder.window(start + warmupNs, end);
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            final int first = t;
            workers[t] = new Thread(() ->
            {
                long now;
                for (long i = first; (now = System.nanoTime()) - end < 0; i += threads)
                {
                    final int op = workload.op(i);
                    recorder.onComplete(op, now, target.call(op, workload.keyIndex(i)));
                }
            }, "latency-blocking-" + t);
            workers[t].start();
        }
        for (final Thread worker : workers)
        {
            worker.join();
        }
        return new RunResult(scenario, target.name(), "closed loop, blocking, " + threads + " thread(s)", 0,
            recorder.measured() / (durationNs / 1e9), recorder);
    }

    /**
     * Closed loop for saturation: keep {@code window} requests in flight (pipelined) from one sender for the whole
     * run; throughput is what completed in the measurement window. Latency here is send-to-completion, recorded
     * with {@code recordValueWithExpectedInterval} using the mean latency of the warm-up as the expected interval
     * (in a closed loop each slot sends its next request when the previous answer arrives). Sends a target holds
     * back (Redis) are flushed whenever the window is full, so they go out in batches.
     */
    static RunResult closedLoop(
        final String scenario,
        final LoadTarget target,
        final ListenerSwitch listeners,
        final Workload workload,
        final int window,
        final long warmupNs,
        final long durationNs)
    {
        final RunRecorder warm = new RunRecorder();
        final RunRecorder recorder = new RunRecorder();
        final long start = System.nanoTime();
        final long measureStart = start + warmupNs;
        final long end = measureStart + durationNs;
        warm.window(start, measureStart);
        recorder.window(measureStart, end);
        listeners.listeners(warm, recorder);
        final long base = listeners.completed();
        boolean measuring = false;
        long sent = 0;
        int idleCount = 0;
        long now;
        while ((now = System.nanoTime()) - end < 0)
        {
            if (!measuring && now - measureStart >= 0)
            {
                measuring = true;
                final Histogram warmAll = warm.histogram(LoadTarget.GET);
                warmAll.add(warm.histogram(LoadTarget.PUT));
                recorder.expectedIntervalNs(Math.max(TimeUnit.MICROSECONDS.toNanos(1), (long)warmAll.getMean()));
            }
            if (sent - (listeners.completed() - base) < window)
            {
                target.send(workload.op(sent), workload.keyIndex(sent), now);
                sent++;
                idleCount = 0;
            }
            else
            {
                if (0 == idleCount)
                {
                    target.flush();
                }
                Pacer.idle(idleCount++);
            }
        }
        target.flush();
        drain(listeners, base + sent);
        final double seconds = durationNs / 1e9;
        return new RunResult(scenario, target.name(), "closed loop, " + window + " in flight, 1 sender", 0,
            recorder.measured() / seconds, recorder);
    }

    private static void abandonRest(
        final RunRecorder recorder,
        final Workload workload,
        final long from,
        final long total,
        final int step,
        final long start,
        final double periodNs,
        final long stopNs)
    {
        for (long i = from; i < total; i += step)
        {
            recorder.abandon(workload.op(i), start + (long)(i * periodNs), stopNs);
        }
    }

    private static void drain(final ListenerSwitch listeners, final long expected)
    {
        final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        int idleCount = 0;
        while (listeners.completed() < expected && System.nanoTime() - deadline < 0)
        {
            Pacer.idle(idleCount++);
        }
        if (listeners.completed() < expected)
        {
            System.err.println("latency: " + (expected - listeners.completed()) + " requests never completed");
        }
    }

    private static double achievedRate(final RunRecorder recorder)
    {
        final long endNs = Math.max(recorder.windowEndNs(), recorder.lastMeasuredCompletionNs());
        return recorder.measured() / ((endNs - recorder.windowStartNs()) / 1e9);
    }
}
