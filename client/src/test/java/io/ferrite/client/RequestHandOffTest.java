package io.ferrite.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A blocking caller owns its pooled request from the moment it sees the request's end: it reads the result and
 * releases the request, and another thread may take it from the pool at once for its next request. The polling
 * thread that published that end must therefore not touch the request afterwards. It did: it read the request's
 * future after publishing the state, so when the caller released it in between and an async compare-and-set took it
 * (setting its future), the poller completed that compare-and-set, not yet sent, as true (its reset result, 0, reads
 * as STORED) - the lossy nemesis's violation: an async CAS answered true 0.3 ms after its invocation on a value
 * overwritten long before, its new value never read (the server later applied it as false), completed in the same
 * poll as the same client's earlier CAS. These tests replay that interleaving deterministically through the
 * conductor's end-published seam, which runs where the caller's thread could run.
 */
@Timeout(30)
class RequestHandOffTest
{
    private final ClientConductor conductor = new ClientConductor(new ClientContext().group("127.0.0.1:1"));
    private final CompletableFuture<Boolean> nextFuture = new CompletableFuture<>();

    RequestHandOffTest()
    {
        conductor.sessions(new Session[1]);
    }

    @Test
    void shouldNotCompleteTheNextRequestWhenABlockingCallerReleasesItsRequestAsSoonAsItEnds()
    {
        final PendingRequest blocking = submitBlocking(PendingRequest.DELETE);
        conductor.endPublishedHook = (ended) -> callerReleasesAndNextRequestTakesIt(blocking, ended);

        conductor.lock.lock();
        try
        {
            conductor.onDelete(blocking.correlationId, true);
            conductor.dutyLocked();
        }
        finally
        {
            conductor.lock.unlock();
        }

        assertFalse(nextFuture.isDone(), "the next request (not even sent) was completed with " +
            nextFuture.getNow(null));
    }

    @Test
    void shouldNotCompleteTheNextRequestWhenABlockingCallerReleasesItsFailedRequestAsSoonAsItEnds()
    {
        final PendingRequest blocking = submitBlocking(PendingRequest.DELETE);
        blocking.deadlineNs = System.nanoTime() - 1;
        conductor.endPublishedHook = (ended) -> callerReleasesAndNextRequestTakesIt(blocking, ended);

        conductor.lock.lock();
        try
        {
            conductor.dutyLocked();
        }
        finally
        {
            conductor.lock.unlock();
        }

        assertFalse(nextFuture.isDone(), "the next request (not even sent) was completed by the timed-out one's " +
            "end with " + (nextFuture.isCompletedExceptionally() ? "a failure" : nextFuture.getNow(null)));
    }

    private PendingRequest submitBlocking(final int kind)
    {
        final PendingRequest request = conductor.acquire(kind, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        conductor.submit(request);
        return request;
    }

    /**
     * What the blocking caller's thread and the application's next async call may do as soon as the state shows.
     */
    private void callerReleasesAndNextRequestTakesIt(final PendingRequest blocking, final PendingRequest ended)
    {
        if (ended != blocking)
        {
            return;
        }
        conductor.endPublishedHook = null;
        conductor.release(blocking);
        final PendingRequest next = conductor.acquire(PendingRequest.COMPARE_AND_SET,
            System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        assertSame(blocking, next, "the pool hands the released request out again");
        next.future = nextFuture;
    }
}
