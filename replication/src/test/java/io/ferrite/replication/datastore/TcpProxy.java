package io.ferrite.replication.datastore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP forwarder between the cluster members' connection pools and PostgreSQL that a test can cut: {@link #cut()}
 * closes every forwarded connection and refuses new ones until {@link #restore()}, which is how the tests cause a
 * bounded database outage; {@link #pause()} holds the bytes instead (a slow database). <b>Note:</b> thread-safe;
 * one thread per direction per connection.
 */
public final class TcpProxy implements AutoCloseable
{
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean cut;
    private volatile boolean paused;
    private volatile boolean closed;

    public TcpProxy(final int targetPort) throws IOException
    {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port()
    {
        return server.getLocalPort();
    }

    public void cut()
    {
        cut = true;
        for (final Socket socket : sockets)
        {
            closeQuietly(socket);
        }
        sockets.clear();
    }

    public void restore()
    {
        cut = false;
    }

    /**
     * Hold every byte in both directions (connections stay open) until {@link #resume()}: a database that is slow,
     * not down, so a statement in flight completes after the pause.
     */
    public void pause()
    {
        paused = true;
    }

    public void resume()
    {
        paused = false;
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final Socket client;
            try
            {
                client = server.accept();
            }
            catch (final IOException ex)
            {
                return;
            }
            if (cut)
            {
                closeQuietly(client);
                continue;
            }
            try
            {
                final Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                // without it Nagle and delayed ACKs add ~40 ms to each small query through the proxy
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pipe(client, upstream);
                pipe(upstream, client);
            }
            catch (final IOException ex)
            {
                closeQuietly(client);
            }
        }
    }

    private void pipe(final Socket from, final Socket to)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                int n;
                while ((n = in.read(buffer)) >= 0)
                {
                    while (paused && !closed)
                    {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            catch (final IOException ignore)
            {
                // the other side closed, or the proxy was cut
            }
            finally
            {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-proxy-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // already closed
        }
    }

    public void close()
    {
        closed = true;
        cut();
        try
        {
            server.close();
            acceptor.join(5000);
        }
        catch (final IOException | InterruptedException ignore)
        {
            // closing anyway
        }
    }
}
