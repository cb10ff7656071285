package io.ferrite.bench.latency;

import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * A Jedis connection split into a writing side and a reading side, so one thread can send commands while another
 * reads the replies in order (what Lettuce or Redisson do on their event loop; Jedis itself only offers blocking
 * calls and batch pipelines).
 * <p>
 * <b>Note:</b> {@link #send} from one thread only and {@link #read} from one (other) thread only.
 */
final class RedisPipe extends Connection
{
    RedisPipe(final String host, final int port)
    {
        super(new HostAndPort(host, port), DefaultJedisClientConfig.builder().socketTimeoutMillis(0).build());
    }

    /**
     * Write one command into the output buffer (sent when the buffer fills or on {@link #flushNow()}).
     */
    void send(final ProtocolCommand command, final byte[]... args)
    {
        sendCommand(command, args);
    }

    /**
     * Write the buffered commands to the socket.
     */
    void flushNow()
    {
        flush();
    }

    /**
     * Block until the next reply arrives and return it (a Redis error reply is thrown as a JedisDataException).
     */
    Object read()
    {
        return getUnflushedObject();
    }
}
