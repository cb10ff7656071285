package io.ferrite.tools;

import io.ferrite.client.IdleStrategies;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.engine.StoreConfiguration;
import io.ferrite.engine.StoreContext;
import io.ferrite.transport.FerriteNode;
import io.ferrite.transport.NodeContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Starts a node and runs it until interrupted (Ctrl-C or SIGTERM), then closes it cleanly.
 */
@Command(name = "node", description = "Start a Ferrite node serving one store over Aeron; Ctrl-C stops it cleanly.")
final class NodeCommand implements Callable<Integer>
{
    static final int DEFAULT_PORT = 7456;

    @Option(names = "--config", description = "Properties file of ferrite.node.* and ferrite.engine.* settings; " +
        "flags given here win.")
    File config;

    @Option(names = "--dir", description = "Store directory (default: ferrite.engine.dir, else ferrite-data/node).")
    File dir;

    @Option(names = "--capacity", description = "Store memory budget, e.g. 64m, 1g (default: 64m).")
    String capacity;

    @Option(names = "--policy", description = "Eviction policy: LRU, LFU or MFU (default: LRU).")
    EvictionPolicyType policy;

    @Option(names = "--stores", description = "Stores to serve, one thread each, in DIR/0, DIR/1, ...; store i " +
        "answers on stream id 1001 + i (default: 1).", defaultValue = "1")
    int storeCount;

    @Option(names = "--host", description = "Address to listen on (default: 127.0.0.1).")
    String host;

    @Option(names = "--port", description = "UDP port to listen on (default: " + DEFAULT_PORT + ").")
    Integer port;

    @Option(names = "--channel", description = "Full Aeron request channel (overrides --host and --port).")
    String channel;

    @Option(names = "--aeron-dir", description = "Use an external media driver in this directory.")
    String aeronDir;

    @Option(names = "--idle", description = "Idle strategy: backoff, sleeping, yielding, busy (default: backoff).")
    String idle;

    @Option(names = "--max-value", description = "Largest value, e.g. 1m (default: 1m).")
    String maxValue;

    @Option(names = "--term-length", description = "Response term length, a power of two (default: 16m).")
    String termLength;

    public Integer call() throws Exception
    {
        if (null != config)
        {
            loadProperties(config);
        }
        final StoreContext store = new StoreContext();
        if (null != dir || null == store.dir())
        {
            store.dir(null != dir ? dir : new File("ferrite-data/node"));
        }
        if (null != capacity)
        {
            store.capacityBytes(Sizes.parse(capacity));
        }
        if (null != policy)
        {
            store.policy(policy);
        }
        final NodeContext ctx = new NodeContext().storeContext(store);
        if (storeCount > 1)
        {
            final StoreContext[] stores = new StoreContext[storeCount];
            for (int i = 0; i < storeCount; i++)
            {
                stores[i] = new StoreContext().dir(new File(store.dir(), Integer.toString(i)))
                    .capacityBytes(store.capacityBytes()).policy(store.policy());
            }
            ctx.storeContexts(stores);
        }
        if (null != channel)
        {
            ctx.channel(channel);
        }
        else if (null != host || null != port)
        {
            final String endpoint = ChannelUri.parse(ctx.channel()).get(CommonContext.ENDPOINT_PARAM_NAME);
            final int colon = null == endpoint ? -1 : endpoint.lastIndexOf(':');
            ctx.channel("aeron:udp?endpoint=" + (null != host ? host : colon > 0 ? endpoint.substring(0, colon) :
                "127.0.0.1") + ":" + (null != port ? port : colon > 0 ? endpoint.substring(colon + 1) : DEFAULT_PORT));
        }
        if (null != aeronDir)
        {
            ctx.aeronDir(aeronDir);
        }
        else if (null == ctx.aeronDir())
        {
            final String endpoint = ChannelUri.parse(ctx.channel()).get(CommonContext.ENDPOINT_PARAM_NAME);
            ctx.embeddedDriverDir(defaultDriverDir(null == endpoint ? "ipc" :
                endpoint.substring(endpoint.lastIndexOf(':') + 1)));
        }
        if (null != idle)
        {
            ctx.idleStrategy(IdleStrategies.of(idle));
        }
        if (null != maxValue)
        {
            ctx.maxValueLength((int)Sizes.parse(maxValue));
        }
        if (null != termLength)
        {
            ctx.termLength((int)Sizes.parse(termLength));
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        final FerriteNode node = FerriteNode.launch(ctx);
        final Thread hook = new Thread(() ->
        {
            System.out.println("ferrite node: stopping");
            node.close();
            stopped.countDown();
        }, "ferrite-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.printf("ferrite node: serving %s (%d store(s) of %,d bytes, %s) on %s stream %d%s%n", store.dir(),
            ctx.storeCount(), store.capacityBytes() > 0 ? store.capacityBytes() : StoreConfiguration.capacityBytes(),
            null != store.policy() ? store.policy() : StoreConfiguration.policy(), ctx.channel(), ctx.streamId(),
            ctx.storeCount() > 1 ? ".." + (ctx.streamId() + ctx.storeCount() - 1) : "");
        System.out.printf("ferrite node: media driver %s (ferrite stats --counters DIR, ferrite errors DIR)%n",
            node.aeronDirectoryName());
        stopped.await();
        return 0;
    }

    /**
     * The embedded driver directory of a CLI node on {@code port}, so {@code ferrite stats --counters} can find it.
     */
    static String defaultDriverDir(final String port)
    {
        final File shm = new File("/dev/shm");
        final File base = shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir"));
        return new File(base, "ferrite-node-" + port).getAbsolutePath();
    }

    private static void loadProperties(final File file) throws IOException
    {
        final Properties properties = new Properties();
        try (InputStream in = new FileInputStream(file))
        {
            properties.load(in);
        }
        for (final String name : properties.stringPropertyNames())
        {
            if (null == System.getProperty(name))
            {
                System.setProperty(name, properties.getProperty(name));
            }
        }
    }
}
