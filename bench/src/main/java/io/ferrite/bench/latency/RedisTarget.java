package io.ferrite.bench.latency;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Redis (already running, not started or flushed by the harness) through Jedis: sends go over one connection
 * split into a sending side and a reader thread that blocks on the socket ({@link RedisPipe}); blocking calls use
 * one {@link Jedis} connection per calling thread. Keys carry the workload's prefix and are deleted at the end.
 */
final class RedisTarget implements LoadTarget
{
    private static final int RING_CAPACITY = 1 << 16;

    private final String host;
    private final int port;
    private final long[] ringTags = new long[RING_CAPACITY];
    private final byte[] ringOps = new byte[RING_CAPACITY];
    private final AtomicLong ringTail = new AtomicLong();
    private final ConcurrentLinkedQueue<Jedis> callers = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Jedis> jedis;
    private Workload workload;
    private CompletionListener listener;
    private RedisPipe pipe;
    private Thread reader;
    private volatile boolean running;
    private String serverInfo = "";
    private long serverPid;

    RedisTarget(final String host, final int port)
    {
        this.host = host;
        this.port = port;
        jedis = ThreadLocal.withInitial(() ->
        {
            final Jedis j = new Jedis(host, port);
            callers.add(j);
            return j;
        });
    }

    public String name()
    {
        return "redis";
    }

    public String description()
    {
        return "Redis at " + host + ":" + port + " (" + serverInfo + "), started outside the harness; its event " +
            "loop blocks in epoll_wait when idle (no spinning). Jedis 7.2.1: sends on one connection (writer = the " +
            "harness's sender thread, which flushes before it waits: each send in open loop, batches in the closed " +
            "loop; replies read by a thread blocked in a socket read); blocking calls with one " +
            "Jedis connection per thread.";
    }

    public long[] serverPids()
    {
        return 0 == serverPid ? new long[0] : new long[]{ serverPid };
    }

    public void start(final Workload workload, final CompletionListener listener)
    {
        this.workload = workload;
        this.listener = listener;
        try (Jedis j = new Jedis(host, port))
        {
            final String info = j.info("server");
            serverPid = Long.parseLong(field(info, "process_id"));
            serverInfo = "redis " + field(info, "redis_version") + ", io_threads_active " +
                field(j.info("threads") + j.info("server"), "io_threads_active");
        }
        pipe = new RedisPipe(host, port);
        pipe.connect();
        running = true;
        reader = new Thread(this::readLoop, "latency-redis-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public void preload()
    {
        putOrDeleteAll(true);
    }

    public void send(final int op, final int key, final long tagNs)
    {
        final long seq = ringTail.get();
        final int index = (int)(seq & (RING_CAPACITY - 1));
        ringTags[index] = tagNs;
        ringOps[index] = (byte)op;
        ringTail.lazySet(seq + 1);
        if (GET == op)
        {
            pipe.send(Protocol.Command.GET, workload.key(key));
        }
        else
        {
            pipe.send(Protocol.Command.SET, workload.key(key), workload.value());
        }
    }

    public void flush()
    {
        pipe.flushNow();
    }

    public int call(final int op, final int key)
    {
        try
        {
            final Jedis j = jedis.get();
            if (GET == op)
            {
                return null == j.get(workload.key(key)) ? CompletionListener.MISS : CompletionListener.OK;
            }
            j.set(workload.key(key), workload.value());
            return CompletionListener.OK;
        }
        catch (final RuntimeException ex)
        {
            return CompletionListener.ERROR;
        }
    }

    public void cleanup()
    {
        putOrDeleteAll(false);
    }

    public void close()
    {
        running = false;
        if (null != pipe)
        {
            pipe.disconnect();
        }
        if (null != reader)
        {
            try
            {
                reader.join(5000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        Jedis j;
        while (null != (j = callers.poll()))
        {
            j.close();
        }
    }

    private void readLoop()
    {
        long head = 0;
        while (running)
        {
            int status;
            try
            {
                status = null == pipe.read() ? CompletionListener.MISS : CompletionListener.OK;
            }
            catch (final JedisDataException ex)
            {
                status = CompletionListener.ERROR;
            }
            catch (final RuntimeException ex)
            {
                if (running)
                {
                    System.err.println("latency: redis reader stopped: " + ex);
                }
                return;
            }
            while (ringTail.get() <= head)
            {
                Thread.onSpinWait();
            }
            final int index = (int)(head & (RING_CAPACITY - 1));
            final int op = ringOps[index];
            listener.onComplete(op, ringTags[index], PUT == op && CompletionListener.MISS == status ?
                CompletionListener.ERROR : status);
            head++;
        }
    }

    private void putOrDeleteAll(final boolean put)
    {
        try (Jedis j = new Jedis(host, port))
        {
            final int batch = 1000;
            for (int from = 0; from < workload.keyCount(); from += batch)
            {
                final Pipeline pipeline = j.pipelined();
                final int to = Math.min(workload.keyCount(), from + batch);
                if (put)
                {
                    for (int i = from; i < to; i++)
                    {
                        pipeline.set(workload.key(i), workload.value());
                    }
                }
                else
                {
                    final List<byte[]> keys = new ArrayList<>(to - from);
                    for (int i = from; i < to; i++)
                    {
                        keys.add(workload.key(i));
                    }
                    pipeline.del(keys.toArray(new byte[0][]));
                }
                pipeline.sync();
            }
        }
    }

    private static String field(final String info, final String name)
    {
        for (final String line : info.split("\r?\n"))
        {
            if (line.startsWith(name + ":"))
            {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "?";
    }
}
