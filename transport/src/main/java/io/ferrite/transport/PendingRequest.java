package io.ferrite.transport;

import io.ferrite.codec.sbe.ErrorCode;
import org.agrona.MutableDirectBuffer;

import java.util.concurrent.CompletableFuture;

/**
 * A request waiting for its answer. Written by whichever thread polls responses (under the client's lock); the
 * thread that waits for it reads the results after seeing {@link #state} leave {@link #PENDING}.
 * <p>
 * <b>Note:</b> {@link #state} is volatile: the poller writes every result field, then the state (release); the waiter
 * reads the state (acquire), then the results.
 */
final class PendingRequest
{
    static final int PENDING = 0;
    static final int DONE = 1;
    static final int FAILED = 2;

    static final int GET_COPY = 1;
    static final int GET_BYTES = 2;
    static final int PUT = 3;
    static final int DELETE = 4;
    static final int MULTI_GET = 5;
    static final int PING = 6;
    static final int STATS = 7;
    static final int HEARTBEAT = 8;
    static final int INVALIDATE = 9;

    volatile int state;
    int kind;
    long correlationId;
    long deadlineNs;
    boolean pooled;
    long result;
    Object value;
    MutableDirectBuffer dst;
    int dstOffset;
    ErrorCode errorCode;
    String errorMessage;
    Throwable failure;
    CompletableFuture<?> future;

    PendingRequest reset(final int kind, final long correlationId, final long deadlineNs)
    {
        this.kind = kind;
        this.correlationId = correlationId;
        this.deadlineNs = deadlineNs;
        this.result = 0;
        this.value = null;
        this.dst = null;
        this.dstOffset = 0;
        this.errorCode = null;
        this.errorMessage = null;
        this.failure = null;
        this.future = null;
        this.state = PENDING;
        return this;
    }
}
