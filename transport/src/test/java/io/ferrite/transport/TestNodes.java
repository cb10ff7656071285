package io.ferrite.transport;

import io.ferrite.client.ClientContext;
import io.ferrite.engine.StoreContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Nodes and clients for tests: free loopback ports, each media driver in its own directory under /dev/shm (deleted
 * on start and close), small limits so term files stay small, and errors collected so a test can fail on them.
 */
final class TestNodes
{
    static final int MAX_VALUE_LENGTH = 64 * 1024;
    static final int TERM_LENGTH = 1024 * 1024;

    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();

    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static String channel(final int port)
    {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }

    NodeContext nodeContext(final int port)
    {
        return new NodeContext()
            .channel(channel(port))
            .storeContext(new StoreContext().capacityBytes(8L * 1024 * 1024))
            .termLength(TERM_LENGTH)
            .maxKeyLength(1024)
            .maxValueLength(MAX_VALUE_LENGTH)
            .errorHandler(errors::add)
            .eventLog(events::add);
    }

    ClientContext clientContext(final FerriteNode node)
    {
        return new ClientContext()
            .nodeChannel(node.context().channel())
            .aeronDir(node.aeronDirectoryName())
            .termLength(TERM_LENGTH)
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .errorHandler(errors::add);
    }

    /**
     * Poll until the condition holds, failing after the deadline.
     */
    static void awaitTrue(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
