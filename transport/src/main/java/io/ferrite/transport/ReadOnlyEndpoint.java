package io.ferrite.transport;

import io.aeron.Aeron;
import io.ferrite.engine.FerriteStore;
import org.agrona.CloseHelper;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Serves possibly-stale reads of a store that something else owns and changes (a replica's state machine),
 * speaking the node protocol so a plain {@code io.ferrite.client.FerriteClient} can use it. Reads use
 * {@link FerriteStore#peekView} and change nothing; writes are refused with an error response.
 * <p>
 * It has no thread of its own: the store's owner calls {@link #doWork()} from the store's thread (for a replica,
 * the clustered service's background work), so the store keeps its single thread.
 * <b>Note:</b> not thread-safe; every method on the store's thread.
 */
public final class ReadOnlyEndpoint implements AutoCloseable
{
    private final NodeContext ctx;
    private final NodeCounters counters;
    private final NodeAgent agent;

    private ReadOnlyEndpoint(final NodeContext ctx, final Aeron aeron, final FerriteStore store)
    {
        this.ctx = ctx;
        counters = new NodeCounters(aeron);
        agent = new NodeAgent(ctx, aeron, store, counters, ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE,
            ctx.streamId(), "ferrite-stale-reads", true);
    }

    /**
     * Listen on {@code ctx}'s channel with {@code aeron}'s driver, serving reads of {@code store}.
     */
    public static ReadOnlyEndpoint create(final NodeContext ctx, final Aeron aeron, final FerriteStore store)
    {
        return new ReadOnlyEndpoint(ctx.conclude(), aeron, store);
    }

    /**
     * Read requests, answer them, flush responses.
     *
     * @return work done (0 when idle).
     */
    public int doWork()
    {
        return agent.doWork();
    }

    public void close()
    {
        agent.onClose();
        CloseHelper.quietClose(counters);
        FerriteNode.closeOwnedVerifier(ctx);
    }
}
