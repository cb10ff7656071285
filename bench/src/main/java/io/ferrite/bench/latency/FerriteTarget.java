package io.ferrite.bench.latency;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Ferrite single node started as a child JVM ({@link NodeMain}), driven through one {@link FerriteClient} in the
 * harness JVM: the async API for sends, the zero-copy blocking API for calls. All defaults: embedded media drivers
 * (shared threading) and backoff idle strategies on both sides.
 */
final class FerriteTarget implements LoadTarget
{
    private final int port;
    private final long capacityBytes;
    private final File logDir;
    private final List<String> childFlags;
    private final ThreadLocal<UnsafeBuffer> dst = ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[1 << 16]));
    private Workload workload;
    private CompletionListener listener;
    private UnsafeBuffer[] keyBuffers;
    private UnsafeBuffer valueBuffer;
    private ChildJvm node;
    private FerriteClient client;

    FerriteTarget(final int port, final long capacityBytes, final File logDir, final List<String> childFlags)
    {
        this.port = port;
        this.capacityBytes = capacityBytes;
        this.logDir = logDir;
        this.childFlags = childFlags;
    }

    public String name()
    {
        return "ferrite";
    }

    public String description()
    {
        final ClientContext ctx = null == client ? null : client.context();
        return "Ferrite single node in a child JVM (" + String.join(" ", childFlags) + "), UDP on 127.0.0.1:" + port +
            ". Node: store thread idle strategy `" + System.getProperty("ferrite.node.idle.strategy", "backoff") +
            "` (spin 10, yield 20, park 1 us doubling to 100 us), which also runs the embedded media driver " +
            "(SHARED, invoked). " +
            "Client: embedded media driver SHARED and Aeron client, both invoked by whichever thread drives the " +
            "client (the background poller, idle strategy `" +
            (null == ctx ? "?" : ctx.idleStrategy().getClass().getSimpleName()) + "`, parks <= 100 us, completes " +
            "async requests; a sender with at most 4 in flight; a blocking caller, which polls its own answer: " +
            "spin 20, yield 20, park 1 us doubling to 100 us).";
    }

    public long[] serverPids()
    {
        return null == node ? new long[0] : new long[]{ node.pid() };
    }

    public void start(final Workload workload, final CompletionListener listener) throws Exception
    {
        this.workload = workload;
        this.listener = listener;
        keyBuffers = new UnsafeBuffer[workload.keyCount()];
        for (int i = 0; i < keyBuffers.length; i++)
        {
            keyBuffers[i] = new UnsafeBuffer(workload.key(i));
        }
        valueBuffer = new UnsafeBuffer(workload.value());
        final List<String> args = new ArrayList<>();
        args.add(Integer.toString(port));
        args.add(Long.toString(capacityBytes));
        node = ChildJvm.start("ferrite-node", logDir, childFlags, NodeMain.class.getName(), args, NodeMain.READY,
            60_000);
        client = FerriteClient.connect(new ClientContext().nodeChannel("aeron:udp?endpoint=127.0.0.1:" + port));
    }

    public void preload()
    {
        final int batch = 200;
        final List<CompletableFuture<Boolean>> futures = new ArrayList<>(batch);
        for (int i = 0; i < workload.keyCount(); i++)
        {
            futures.add(client.putAsync(workload.key(i), workload.value()));
            if (futures.size() == batch || i == workload.keyCount() - 1)
            {
                for (final CompletableFuture<Boolean> future : futures)
                {
                    future.join();
                }
                futures.clear();
            }
        }
    }

    public void send(final int op, final int key, final long tagNs)
    {
        if (GET == op)
        {
            client.getAsync(workload.key(key)).whenComplete(
                (value, error) -> listener.onComplete(op, tagNs, status(value, error)));
        }
        else
        {
            client.putAsync(workload.key(key), workload.value()).whenComplete((stored, error) ->
                listener.onComplete(op, tagNs, null != error ? CompletionListener.ERROR : CompletionListener.OK));
        }
    }

    public int call(final int op, final int key)
    {
        try
        {
            final UnsafeBuffer keyBuffer = keyBuffers[key];
            if (GET == op)
            {
                final int length = client.get(keyBuffer, 0, keyBuffer.capacity(), dst.get(), 0);
                return FerriteClient.NOT_FOUND == length ? CompletionListener.MISS : CompletionListener.OK;
            }
            client.put(keyBuffer, 0, keyBuffer.capacity(), valueBuffer, 0, valueBuffer.capacity());
            return CompletionListener.OK;
        }
        catch (final RuntimeException ex)
        {
            return CompletionListener.ERROR;
        }
    }

    static int status(final Object result, final Throwable error)
    {
        if (null != error)
        {
            return CompletionListener.ERROR;
        }
        return null == result ? CompletionListener.MISS : CompletionListener.OK;
    }

    public void cleanup()
    {
    }

    public void close()
    {
        CloseHelper.quietClose(client);
        CloseHelper.quietClose(node);
        client = null;
        node = null;
    }
}
