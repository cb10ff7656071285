package io.ferrite.tools;

import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.engine.StoreContext;
import io.ferrite.transport.FerriteNode;
import io.ferrite.transport.IdleStrategies;
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
    static final int DEFAULT_PORT = 40456;

    @Option(names = "--config", description = "Properties file of ferrite.node.* and ferrite.engine.* settings; " +
        "flags given here win.")
    File config;

    @Option(names = "--dir", description = "Store directory (default: ${DEFAULT-VALUE}).",
        defaultValue = "ferrite-data/node")
    File dir;

    @Option(names = "--capacity", description = "Store memory budget, e.g. 64m, 1g (default: ${DEFAULT-VALUE}).",
        defaultValue = "64m")
    String capacity;

    @Option(names = "--policy", description = "Eviction policy: LRU, LFU or MFU (default: ${DEFAULT-VALUE}).",
        defaultValue = "LRU")
    EvictionPolicyType policy;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).",
        defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", description = "UDP port to listen on (default: ${DEFAULT-VALUE}).",
        defaultValue = "" + DEFAULT_PORT)
    int port;

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
        final NodeContext ctx = new NodeContext()
            .storeContext(new StoreContext().dir(dir).capacityBytes(Sizes.parse(capacity)).policy(policy));
        ctx.channel(null != channel ? channel : "aeron:udp?endpoint=" + host + ":" + port);
        if (null != aeronDir)
        {
            ctx.aeronDir(aeronDir);
        }
        else
        {
            ctx.embeddedDriverDir(defaultDriverDir(port));
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
        System.out.printf("ferrite node: serving %s (%s, %s) on %s stream %d%n",
            dir, capacity, policy, ctx.channel(), ctx.streamId());
        System.out.printf("ferrite node: media driver %s; counters: ferrite stats --counters %s%n",
            node.aeronDirectoryName(), node.aeronDirectoryName());
        stopped.await();
        return 0;
    }

    /**
     * The embedded driver directory of a CLI node on {@code port}, so {@code ferrite stats --counters} can find it.
     */
    static String defaultDriverDir(final int port)
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
