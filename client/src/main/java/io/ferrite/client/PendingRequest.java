package io.ferrite.client;

import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.PutMode;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request from submission to answer: its arguments (copied into buffers the pooled request owns, so the caller
 * may reuse its own at once and a resend to a new leader or a partition's new owner sends what was asked), where it
 * is routed, and its result. Pooled by the conductor: the blocking zero-copy path allocates none.
 * <p>
 * <b>Note:</b> every field but {@link #state} is written under the conductor's lock. {@link #state} is volatile: the
 * poller writes the result fields, then the state (release); a waiting caller reads the state (acquire), then the
 * results.
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
    static final int INVALIDATE = 5;
    static final int COMPARE_AND_SET = 6;
    static final int MULTI_GET = 7;
    static final int PING = 8;
    static final int STATS = 9;
    static final int HEARTBEAT = 10;
    static final int PARTITION_MAP = 11;
    /** The caller's side of a multi-get split over several messages; never sent itself. */
    static final int MULTI_GET_PARENT = 12;

    volatile int state;
    int kind;
    long correlationId;
    long deadlineNs;
    long notBeforeNs;
    /** Index of the session it goes to (the owning group, or the node). */
    int route;
    /** The key's partition, or -1 when the request is not routed by key. */
    int partition;
    boolean sent;
    boolean inPool;
    /** Owned by the conductor (heartbeat, map refresh, multi-get part): released when it ends. */
    boolean internal;
    /** Routed to a fixed session (stale reads), not by the key's partition. */
    boolean fixedRoute;
    int redirects;
    long result;
    Object value;
    MutableDirectBuffer dst;
    int dstOffset;
    ErrorCode errorCode;
    String errorMessage;
    Throwable failure;
    CompletableFuture<?> future;

    DirectBuffer key;
    int keyOffset;
    int keyLength;
    DirectBuffer valueSource;
    int valueOffset;
    int valueLength;
    DirectBuffer expected;
    int expectedOffset;
    int expectedLength;
    long ttlMs;
    PutMode mode;

    /** Owned views that wrap a caller's byte arrays without allocating, to copy them from. */
    final UnsafeBuffer keyBytes = new UnsafeBuffer(0, 0);
    final UnsafeBuffer valueBytes = new UnsafeBuffer(0, 0);
    final UnsafeBuffer expectedBytes = new UnsafeBuffer(0, 0);
    /** The request's own copies of its arguments: they grow to the largest seen and stay with the pooled request. */
    final ExpandableArrayBuffer keyCopy = new ExpandableArrayBuffer(64);
    final ExpandableArrayBuffer valueCopy = new ExpandableArrayBuffer(256);
    final ExpandableArrayBuffer expectedCopy = new ExpandableArrayBuffer(0);

    /** Multi-get part: its keys, where each answer goes in the parent's result, and the parent. */
    List<byte[]> keys;
    int[] positions;
    PendingRequest parent;
    /** Multi-get parent: the values in the caller's order and how many parts are still out. */
    byte[][] values;
    int partsLeft;

    PendingRequest reset(final int kind, final long deadlineNs)
    {
        this.kind = kind;
        this.correlationId = 0;
        this.deadlineNs = deadlineNs;
        this.notBeforeNs = 0;
        this.route = 0;
        this.partition = -1;
        this.sent = false;
        this.internal = false;
        this.fixedRoute = false;
        this.redirects = 0;
        this.result = 0;
        this.value = null;
        this.dst = null;
        this.dstOffset = 0;
        this.errorCode = null;
        this.errorMessage = null;
        this.failure = null;
        this.future = null;
        clearArguments();
        this.parent = null;
        this.values = null;
        this.partsLeft = 0;
        this.state = PENDING;
        return this;
    }

    void clearArguments()
    {
        key = null;
        valueSource = null;
        expected = null;
        keys = null;
        positions = null;
        mode = null;
    }

    /**
     * True for a request that changes state, which groups deduplicate by correlation id.
     */
    boolean isWrite()
    {
        return PUT == kind || DELETE == kind || INVALIDATE == kind || COMPARE_AND_SET == kind;
    }
}
