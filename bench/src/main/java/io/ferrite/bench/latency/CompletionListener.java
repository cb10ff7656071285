package io.ferrite.bench.latency;

/**
 * Receives the completion of an asynchronous request.
 */
@FunctionalInterface
interface CompletionListener
{
    /** Completed normally (a GET found its value). */
    int OK = 0;
    /** A GET found no value. */
    int MISS = 1;
    /** The request failed. */
    int ERROR = 2;

    /**
     * @param op     {@link LoadTarget#GET} or {@link LoadTarget#PUT}.
     * @param tagNs  the tag given at send time (the intended send time in open loop, the send time in closed loop).
     * @param status {@link #OK}, {@link #MISS} or {@link #ERROR}.
     */
    void onComplete(int op, long tagNs, int status);
}
