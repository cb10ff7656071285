package io.ferrite.replication.datastore;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sends the leader's datastore outcomes into its group's log through the leader's own client session of the group
 * (an {@link AeronCluster} connected to the group's ingress, non-blocking), and resends each one that has not come
 * back through the log within {@link #RESEND_NS}: outcomes are checked against the log when applied, so a repeat is
 * harmless, while a lost one would leave callers or the write-behind flush waiting. Nothing depends on Aeron's
 * service messages or cluster timers, whose per-member bookkeeping goes wrong for messages and timers only a leader
 * makes (see {@link DataStorePolicy}).
 * <p>
 * The session's {@link AeronCluster.Context} comes from one factory (where credentials belong once ingress is
 * authenticated). <b>Note:</b> not thread-safe; the service thread only, outside log callbacks as well as in them.
 */
final class OutcomePublisher implements AutoCloseable
{
    /** An outcome not seen in the log this long after it was sent is sent again. */
    static final long RESEND_NS = TimeUnit.MILLISECONDS.toNanos(1000);
    /** Most outcomes waiting to be sent or seen in the log; beyond it new database calls are refused. */
    static final int MAX_BACKLOG = 4096;

    /** {@link #confirm} result: not an outcome this publisher is waiting for. */
    static final long UNKNOWN = -1;
    /** {@link #confirm} result: one of this publisher's outcomes, not a flush acknowledgement. */
    static final long CONFIRMED = 0;

    private static final long KEEPALIVE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long RECONNECT_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Function<Aeron, AeronCluster.Context> contextFactory;
    private final ArrayDeque<Outcome> outbox = new ArrayDeque<>();
    private final ArrayDeque<Outcome> unconfirmed = new ArrayDeque<>();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private Aeron aeron;
    private AeronCluster.AsyncConnect connecting;
    private AeronCluster session;
    private long nextConnectNs;
    private long lastKeepAliveNs;
    private long resends;
    private long connects;

    /**
     * One encoded outcome and, if it is resent until confirmed, when it was last sent.
     */
    private static final class Outcome
    {
        final byte[] message;
        final boolean tracked;
        final long flush;
        long sentNs;

        Outcome(final byte[] message, final boolean tracked, final long flush)
        {
            this.message = message;
            this.tracked = tracked;
            this.flush = flush;
        }
    }

    /**
     * @param contextFactory builds a fresh context for each connection attempt (a context is never reused).
     */
    OutcomePublisher(final Function<Aeron, AeronCluster.Context> contextFactory)
    {
        this.contextFactory = contextFactory;
    }

    void aeron(final Aeron aeron)
    {
        this.aeron = aeron;
    }

    /**
     * Queue an outcome (copied) to be sent and resent until {@link #confirm} sees it in the log.
     *
     * @param flush the number of the write-behind flush it acknowledges, or 0.
     */
    void enqueue(final DirectBuffer buffer, final int length, final long flush)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(0, copy);
        outbox.addLast(new Outcome(copy, true, flush));
    }

    /**
     * Queue a message that is sent once and not tracked (a tick: another is sent if it is still needed).
     */
    void enqueueOnce(final DirectBuffer buffer, final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(0, copy);
        outbox.addLast(new Outcome(copy, false, 0));
    }

    /**
     * An outcome was applied from the log: stop resending it if it is one of ours.
     *
     * @return {@link #UNKNOWN}, {@link #CONFIRMED}, or the number of the flush it acknowledged (positive).
     */
    long confirm(final DirectBuffer buffer, final int offset, final int length)
    {
        final long confirmed = confirm(unconfirmed, buffer, offset, length);
        // one queued again for a resend may arrive from its first sending
        return UNKNOWN != confirmed ? confirmed : confirm(outbox, buffer, offset, length);
    }

    private static long confirm(
        final ArrayDeque<Outcome> outcomes, final DirectBuffer buffer, final int offset, final int length)
    {
        final Iterator<Outcome> it = outcomes.iterator();
        while (it.hasNext())
        {
            final Outcome outcome = it.next();
            if (outcome.tracked && outcome.message.length == length && sameBytes(outcome.message, buffer, offset))
            {
                it.remove();
                return outcome.flush > 0 ? outcome.flush : CONFIRMED;
            }
        }
        return UNKNOWN;
    }

    private static boolean sameBytes(final byte[] message, final DirectBuffer buffer, final int offset)
    {
        for (int i = 0; i < message.length; i++)
        {
            if (message[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Connect (without blocking), keep the session alive, send queued outcomes and resend unconfirmed ones.
     */
    int doWork(final long nowNs)
    {
        int work = 0;
        if (null == session)
        {
            work += connect(nowNs);
            if (null == session)
            {
                return work;
            }
        }
        work += session.pollEgress();
        if (session.isClosed())
        {
            dropSession(nowNs);
            return work;
        }
        while (!unconfirmed.isEmpty() && nowNs - unconfirmed.peekFirst().sentNs > RESEND_NS)
        {
            outbox.addFirst(unconfirmed.pollFirst());
            resends++;
        }
        while (!outbox.isEmpty())
        {
            final Outcome outcome = outbox.peekFirst();
            view.wrap(outcome.message);
            final long result = session.offer(view, 0, outcome.message.length);
            if (result < 0)
            {
                if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                {
                    dropSession(nowNs);
                }
                break;
            }
            outbox.pollFirst();
            work++;
            if (outcome.tracked)
            {
                outcome.sentNs = nowNs;
                unconfirmed.addLast(outcome);
            }
            lastKeepAliveNs = nowNs;
        }
        if (nowNs - lastKeepAliveNs > KEEPALIVE_INTERVAL_NS && session.sendKeepAlive())
        {
            lastKeepAliveNs = nowNs;
            work++;
        }
        return work;
    }

    private int connect(final long nowNs)
    {
        if (null == aeron || nowNs - nextConnectNs < 0)
        {
            return 0;
        }
        try
        {
            if (null == connecting)
            {
                connecting = AeronCluster.asyncConnect(contextFactory.apply(aeron));
                connects++;
            }
            final AeronCluster connected = connecting.poll();
            if (null != connected)
            {
                connecting = null;
                session = connected;
                lastKeepAliveNs = nowNs;
            }
            return 1;
        }
        catch (final RuntimeException ex)
        {
            // not (yet) reachable, for example while the election that made this member leader completes: retry
            CloseHelper.quietClose(connecting);
            connecting = null;
            nextConnectNs = nowNs + RECONNECT_DELAY_NS;
            return 0;
        }
    }

    private void dropSession(final long nowNs)
    {
        CloseHelper.quietClose(session);
        session = null;
        nextConnectNs = nowNs + RECONNECT_DELAY_NS;
        // whatever was sent on the closed session may never reach the log: send it again on the next one
        while (!unconfirmed.isEmpty())
        {
            outbox.addFirst(unconfirmed.pollLast());
        }
    }

    /**
     * Outcomes waiting to be sent or to come back through the log.
     */
    int backlog()
    {
        return outbox.size() + unconfirmed.size();
    }

    boolean isFull()
    {
        return backlog() >= MAX_BACKLOG;
    }

    boolean isConnected()
    {
        return null != session;
    }

    long resends()
    {
        return resends;
    }

    long connects()
    {
        return connects;
    }

    /**
     * Forget every outcome and close the session (this member no longer leads: the next leader redoes the work).
     */
    void reset()
    {
        outbox.clear();
        unconfirmed.clear();
        close();
    }

    public void close()
    {
        CloseHelper.quietClose(connecting);
        connecting = null;
        CloseHelper.quietClose(session);
        session = null;
        nextConnectNs = 0;
    }
}
