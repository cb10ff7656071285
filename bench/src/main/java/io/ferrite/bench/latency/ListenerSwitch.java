package io.ferrite.bench.latency;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The listener a target is started with: counts every completion (so the sender knows what is in flight) and
 * passes it to the recorders of the current run, each of which keeps only its own window.
 * <p>
 * <b>Note:</b> thread-safe; the recorders are swapped between runs through a volatile field.
 */
final class ListenerSwitch implements CompletionListener
{
    private final AtomicLong completed = new AtomicLong();
    private volatile CompletionListener[] listeners = new CompletionListener[0];

    void listeners(final CompletionListener... listeners)
    {
        this.listeners = listeners.clone();
    }

    long completed()
    {
        return completed.get();
    }

    public void onComplete(final int op, final long tagNs, final int status)
    {
        for (final CompletionListener listener : listeners)
        {
            listener.onComplete(op, tagNs, status);
        }
        completed.incrementAndGet();
    }
}
