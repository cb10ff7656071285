package io.ferrite.bench.latency;

/**
 * A system under test: started, loaded with every key, driven by the harness, cleaned up and closed.
 * <p>
 * <b>Note:</b> {@link #send(int, int, long)} is called from one sender thread; {@link #call(int, int)} from any
 * number of threads; completions of sends may be reported on any thread.
 */
interface LoadTarget extends AutoCloseable
{
    /** Operation code of a GET. */
    int GET = 0;
    /** Operation code of a PUT. */
    int PUT = 1;

    /**
     * Short name used in file names and tables.
     */
    String name();

    /**
     * What runs where and with which idle strategy, for the report.
     */
    String description();

    /**
     * Anything worth noting about the target's state right now (the replicated group's leader), or "".
     */
    default String state()
    {
        return "";
    }

    /**
     * Process ids of the target's servers (child JVMs, the Redis server), for CPU accounting.
     */
    long[] serverPids();

    /**
     * Start the servers this target needs (if any) and connect; {@code listener} receives completions of
     * {@link #send(int, int, long)}.
     */
    void start(Workload workload, CompletionListener listener) throws Exception;

    /**
     * Store every key of the workload with its value, so GETs hit.
     */
    void preload() throws Exception;

    /**
     * Send one request without waiting; its completion goes to the listener with {@code tagNs}. A target may hold
     * sends back until {@link #flush()}.
     */
    void send(int op, int key, long tagNs);

    /**
     * Push out sends held back (a socket client's buffered writes); the runner calls it before it waits.
     */
    default void flush()
    {
    }

    /**
     * Run one request and wait for its answer.
     *
     * @return {@link CompletionListener#OK}, {@link CompletionListener#MISS} or {@link CompletionListener#ERROR}.
     */
    int call(int op, int key);

    /**
     * Remove what this target stored in a shared server (Redis); no-op where the server is private.
     */
    void cleanup() throws Exception;

    /**
     * Disconnect and stop the servers this target started.
     */
    void close();
}
