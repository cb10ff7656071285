package io.ferrite.transport;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.ferrite.engine.FerriteStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A Ferrite node: serves one engine store to clients over Aeron.
 * <p>
 * The node owns a media driver (embedded by default: one shared thread with a backoff idle strategy; or an external
 * one named by {@link NodeContext#aeronDir(String)}), an Aeron client in conductor-invoker mode, the store, and one
 * thread, {@code ferrite-node}, that receives requests, applies them to the store and sends batched responses. So a
 * node with an embedded driver runs two threads. Start one with
 * <pre>{@code
 * try (FerriteNode node = FerriteNode.launch(new NodeContext()
 *     .channel("aeron:udp?endpoint=127.0.0.1:40456")
 *     .storeContext(new StoreContext().dir(new File("/var/lib/ferrite/p0")).capacityBytes(1L << 30))))
 * {
 *     ...
 * }
 * }</pre>
 * <b>Note:</b> {@link #close()} may be called from any thread, once the node is no longer needed.
 */
public final class FerriteNode implements AutoCloseable
{
    private final NodeContext ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final FerriteStore store;
    private final NodeCounters counters;
    private final AgentRunner runner;
    private final String aeronDirectoryName;
    private final long nodeInstanceId;
    private boolean closed;

    private FerriteNode(
        final NodeContext ctx,
        final MediaDriver driver,
        final Aeron aeron,
        final FerriteStore store,
        final NodeCounters counters,
        final AgentRunner runner,
        final long nodeInstanceId)
    {
        this.ctx = ctx;
        this.driver = driver;
        this.aeron = aeron;
        this.store = store;
        this.counters = counters;
        this.runner = runner;
        this.aeronDirectoryName = aeron.context().aeronDirectoryName();
        this.nodeInstanceId = nodeInstanceId;
    }

    /**
     * Start a node: launch or connect to the media driver, open the store, start the node's thread.
     *
     * @throws IllegalArgumentException if the context is invalid.
     * @throws RuntimeException         if the driver or the store cannot start; nothing is left running.
     */
    public static FerriteNode launch(final NodeContext ctx)
    {
        ctx.conclude();
        MediaDriver driver = null;
        Aeron aeron = null;
        FerriteStore store = null;
        NodeCounters counters = null;
        try
        {
            String dir = ctx.aeronDir();
            if (null == dir)
            {
                driver = EmbeddedDriver.launch(ctx.embeddedDriverDir());
                dir = driver.aeronDirectoryName();
            }
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(dir)
                .clientName("ferrite-node")
                .useConductorAgentInvoker(true)
                .errorHandler(ctx.errorHandler()));
            store = FerriteStore.open(ctx.storeContext());
            counters = new NodeCounters(aeron);
            final long nodeInstanceId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
            final NodeAgent agent = new NodeAgent(ctx, aeron, store, counters, nodeInstanceId);
            final AgentRunner runner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, agent);
            AgentRunner.startOnThread(runner);
            return new FerriteNode(ctx, driver, aeron, store, counters, runner, nodeInstanceId);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(counters, aeron, store, driver);
            throw ex;
        }
    }

    public NodeContext context()
    {
        return ctx;
    }

    /**
     * The media driver directory the node uses; its counters file holds the node's counters.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * A random id that changes on every start; clients see it in the connect response and in stats.
     */
    public long nodeInstanceId()
    {
        return nodeInstanceId;
    }

    /**
     * Stop the node's thread, then close the store (cleanly, so it reopens with its entries), the Aeron client and
     * an embedded driver (deleting its directory).
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(runner, counters, aeron, store, driver);
    }
}
