package io.ferrite.bench.latency;

import io.ferrite.engine.StoreContext;
import io.ferrite.transport.FerriteNode;
import io.ferrite.transport.NodeContext;
import org.agrona.concurrent.ShutdownSignalBarrier;

/**
 * A Ferrite single node in its own JVM for the harness: {@code NodeMain <port> <capacityBytes>}. Defaults
 * everywhere else (embedded media driver, backoff idle strategies). Prints {@link #READY} once serving; stops on
 * SIGTERM.
 */
public final class NodeMain
{
    static final String READY = "LATENCY-NODE-READY";

    private NodeMain()
    {
    }

    public static void main(final String[] args)
    {
        final int port = Integer.parseInt(args[0]);
        final long capacityBytes = Long.parseLong(args[1]);
        final NodeContext ctx = new NodeContext()
            .channel("aeron:udp?endpoint=127.0.0.1:" + port)
            .storeContext(new StoreContext().capacityBytes(capacityBytes));
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier(); FerriteNode node = FerriteNode.launch(ctx))
        {
            System.out.println(READY + " port=" + port + " idle=" + ctx.idleStrategy() + " aeronDir=" +
                node.aeronDirectoryName());
            System.out.flush();
            barrier.await();
        }
        System.out.println("LATENCY-NODE-STOPPED");
    }
}
