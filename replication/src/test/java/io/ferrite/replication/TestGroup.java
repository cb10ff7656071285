package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.aeron.cluster.client.ClusterEvent;
import io.aeron.cluster.service.Cluster;
import org.agrona.CloseHelper;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Three members of group 0 in this JVM (each its own media driver, archive and directories) with every error
 * collected, so a test can fail if anything reached an error handler; cluster events (election warnings) are
 * kept apart.
 */
final class TestGroup implements AutoCloseable
{
    final GroupTopology topology;
    final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    final Queue<Throwable> events = new ConcurrentLinkedQueue<>();
    final ReplicaNode[] nodes = new ReplicaNode[3];
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private final File dir;

    TestGroup(final File dir, final int portBase, final Consumer<ReplicaNodeContext> settings)
    {
        this(dir, portBase);
        try
        {
            for (int m = 0; m < 3; m++)
            {
                launch(m, settings);
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * A group none of whose members runs yet: {@link #launch} them.
     */
    TestGroup(final File dir, final int portBase)
    {
        this.dir = dir;
        topology = GroupTopology.local(3, portBase);
        TestPorts.requireOutsideEphemeralRange(topology, 0);
    }

    ReplicaNode launch(final int m, final Consumer<ReplicaNodeContext> settings)
    {
        final ReplicaNodeContext ctx = new ReplicaNodeContext()
            .memberId(m)
            .topology(topology)
            .groups(0)
            .baseDir(new File(dir, "node-" + m))
            .deleteOnStart(true)
            .storeCapacityBytes(8L * 1024 * 1024)
            .errorHandler(this::onError);
        settings.accept(ctx);
        nodes[m] = ReplicaNode.launch(ctx);
        return nodes[m];
    }

    private void onError(final Throwable error)
    {
        (error instanceof ClusterEvent ? events : errors).add(error);
    }

    ClientContext clientContext()
    {
        return new ClientContext()
            .group(topology.ingressEndpoints(0))
            .staleReadEndpoints(topology.staleReadEndpoints(0))
            .errorHandler(errors::add);
    }

    FerriteClient connect()
    {
        return add(FerriteClient.connect(clientContext()));
    }

    <T extends AutoCloseable> T add(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    FerriteClusteredService leaderService()
    {
        for (final ReplicaNode node : nodes)
        {
            if (null != node && Cluster.Role.LEADER == node.service(0).role())
            {
                return node.service(0);
            }
        }
        return null;
    }

    /**
     * Poll {@code condition} with backoff until it holds or {@code timeoutMs} passes.
     */
    static void await(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long parkMs = 1;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            try
            {
                Thread.sleep(parkMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
            parkMs = Math.min(50, parkMs * 2);
        }
    }

    public void close()
    {
        for (final Throwable error : errors)
        {
            System.err.println("TestGroup error: " + error);
            error.printStackTrace();
        }
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        for (int i = nodes.length - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(nodes[i]);
        }
    }
}
