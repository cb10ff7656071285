package io.ferrite.transport;

import io.ferrite.client.EmbeddedDriver;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.ferrite.engine.FerriteStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;

import java.io.File;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A Ferrite node: serves one or more engine stores to clients over Aeron.
 * <p>
 * The node owns a media driver (embedded by default: one shared thread with a backoff idle strategy; or an external
 * one named by {@link NodeContext#aeronDir(String)}) and, per store, an Aeron client in conductor-invoker mode and one
 * thread ({@code ferrite-node}, {@code ferrite-node-1}, ...) that receives that store's requests (stream
 * {@link NodeContext#streamId()} + its index), applies them and sends batched responses. So a one-store node with
 * an embedded driver runs two threads; each store is single-threaded, and stores scale over cores. Start one with
 * <pre>{@code
 * try (FerriteNode node = FerriteNode.launch(new NodeContext()
 *     .channel("aeron:udp?endpoint=127.0.0.1:7456")
 *     .storeContext(new StoreContext().dir(new File("/var/lib/ferrite/p0")).capacityBytes(1L << 30))))
 * {
 *     ...
 * }
 * }</pre>
 * <b>Note:</b> {@link #close()} may be called from any thread, once the node is no longer needed.
 */
public final class FerriteNode implements AutoCloseable
{
    /**
     * Set to {@code false} to give an embedded driver its own thread even when the node has one store.
     */
    public static final String DRIVER_ON_NODE_THREAD_PROP_NAME = "ferrite.node.driver.on.node.thread";

    private final NodeContext ctx;
    private final MediaDriver driver;
    private final Aeron[] aerons;
    private final FerriteStore[] stores;
    private final NodeCounters[] counters;
    private final NodeErrorLog errorLog;
    private final AgentRunner[] runners;
    private final String aeronDirectoryName;
    private final long nodeInstanceId;
    private boolean closed;

    private FerriteNode(
        final NodeContext ctx,
        final MediaDriver driver,
        final String aeronDirectoryName,
        final Aeron[] aerons,
        final FerriteStore[] stores,
        final NodeCounters[] counters,
        final NodeErrorLog errorLog,
        final AgentRunner[] runners,
        final long nodeInstanceId)
    {
        this.ctx = ctx;
        this.driver = driver;
        this.aeronDirectoryName = aeronDirectoryName;
        this.aerons = aerons;
        this.stores = stores;
        this.counters = counters;
        this.errorLog = errorLog;
        this.runners = runners;
        this.nodeInstanceId = nodeInstanceId;
    }

    /**
     * Start a node: launch or connect to the media driver, open the stores, start one thread per store.
     *
     * @throws IllegalArgumentException if the context is invalid.
     * @throws RuntimeException         if the driver or a store cannot start; nothing is left running.
     */
    public static FerriteNode launch(final NodeContext ctx)
    {
        ctx.conclude();
        final int storeCount = ctx.storeCount();
        final Aeron[] aerons = new Aeron[storeCount];
        final FerriteStore[] stores = new FerriteStore[storeCount];
        final NodeCounters[] counters = new NodeCounters[storeCount];
        final AgentRunner[] runners = new AgentRunner[storeCount];
        MediaDriver driver = null;
        NodeErrorLog errorLog = null;
        try
        {
            String dir = ctx.aeronDir();
            // With one store and an embedded driver, the store's thread also runs the driver: a request then wakes
            // one node thread instead of two.
            final boolean driverOnNodeThread = null == dir && 1 == storeCount &&
                !"false".equals(System.getProperty(DRIVER_ON_NODE_THREAD_PROP_NAME));
            if (null == dir)
            {
                driver = EmbeddedDriver.launch(ctx.embeddedDriverDir(), driverOnNodeThread);
                dir = driver.aeronDirectoryName();
            }
            final long nodeInstanceId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
            errorLog = new NodeErrorLog(new File(dir, NodeErrorLog.FILE_PREFIX +
                Long.toHexString(nodeInstanceId) + NodeErrorLog.FILE_SUFFIX), ctx.errorHandler());
            for (int i = 0; i < storeCount; i++)
            {
                final Aeron.Context aeronCtx = new Aeron.Context()
                    .aeronDirectoryName(dir)
                    .clientName("ferrite-node-" + i)
                    .useConductorAgentInvoker(true)
                    .errorHandler(errorLog);
                if (driverOnNodeThread)
                {
                    aeronCtx.driverAgentInvoker(driver.sharedAgentInvoker());
                }
                aerons[i] = Aeron.connect(aeronCtx);
                stores[i] = FerriteStore.open(ctx.storeContext(i));
                counters[i] = new NodeCounters(aerons[i]);
                final NodeAgent agent = new NodeAgent(ctx, aerons[i], stores[i], counters[i], nodeInstanceId,
                    ctx.streamId() + i, 0 == i ? "ferrite-node" : "ferrite-node-" + i);
                if (driverOnNodeThread)
                {
                    agent.driverInvoker(driver.sharedAgentInvoker());
                }
                runners[i] = new AgentRunner(ctx.idleStrategy(i), errorLog, null, agent);
            }
            for (final AgentRunner runner : runners)
            {
                AgentRunner.startOnThread(runner);
            }
            return new FerriteNode(ctx, driver, dir, aerons, stores, counters, errorLog, runners, nodeInstanceId);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(runners);
            CloseHelper.quietCloseAll(counters);
            CloseHelper.quietCloseAll(aerons);
            CloseHelper.quietCloseAll(stores);
            CloseHelper.quietCloseAll((AutoCloseable)errorLog, driver);
            closeOwnedVerifier(ctx);
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
     * The node's distinct error log file (in the media driver directory), readable while the node runs.
     */
    public File errorLogFile()
    {
        return errorLog.file();
    }

    /**
     * A random id that changes on every start; clients see it in the connect response and in stats.
     */
    public long nodeInstanceId()
    {
        return nodeInstanceId;
    }

    /**
     * Stop the node's threads, then close the stores (cleanly, so they reopen with their entries), the Aeron clients
     * and an embedded driver (deleting its directory).
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(runners);
        CloseHelper.closeAll(counters);
        CloseHelper.closeAll(aerons);
        CloseHelper.closeAll(stores);
        CloseHelper.closeAll((AutoCloseable)errorLog, driver);
        closeOwnedVerifier(ctx);
    }

    static void closeOwnedVerifier(final NodeContext ctx)
    {
        if (ctx.ownsCredentialsVerifier())
        {
            CloseHelper.quietClose(ctx.credentialsVerifier());
        }
    }
}
