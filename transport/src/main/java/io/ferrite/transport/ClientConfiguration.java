package io.ferrite.transport;

/**
 * System properties and defaults of a client; a {@link ClientContext} starts from these.
 */
public final class ClientConfiguration
{
    /** Channel of the node's request subscription. */
    public static final String NODE_CHANNEL_PROP_NAME = "ferrite.client.node.channel";

    /** Stream id of the node's request subscription. */
    public static final String NODE_STREAM_ID_PROP_NAME = "ferrite.client.node.stream.id";

    /** Channel the client receives responses on; port 0 picks a free port. */
    public static final String RESPONSE_CHANNEL_PROP_NAME = "ferrite.client.response.channel";
    public static final String RESPONSE_CHANNEL_DEFAULT = "aeron:udp?endpoint=127.0.0.1:0";

    /** Stream id of responses. */
    public static final String RESPONSE_STREAM_ID_PROP_NAME = "ferrite.client.response.stream.id";
    public static final int RESPONSE_STREAM_ID_DEFAULT = 1002;

    /** Directory of an external media driver; unset launches an embedded driver. */
    public static final String AERON_DIR_PROP_NAME = "ferrite.client.aeron.dir";

    /** How long a request may wait for its answer. */
    public static final String REQUEST_TIMEOUT_MS_PROP_NAME = "ferrite.client.request.timeout.ms";
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 5000;

    /** How long connecting to a node may take. */
    public static final String CONNECT_TIMEOUT_MS_PROP_NAME = "ferrite.client.connect.timeout.ms";
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 5000;

    /** A ping is sent after this long without a response; no pong within twice this means reconnect. */
    public static final String HEARTBEAT_INTERVAL_MS_PROP_NAME = "ferrite.client.heartbeat.interval.ms";
    public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 1000;

    /** Term length of the request publication (sparse); a request is at most an eighth of it. */
    public static final String TERM_LENGTH_PROP_NAME = "ferrite.client.term.length";
    public static final int TERM_LENGTH_DEFAULT = 16 * 1024 * 1024;

    /** Idle strategy of the client's conductor thread, which completes async requests and keeps the session. */
    public static final String IDLE_STRATEGY_PROP_NAME = "ferrite.client.idle.strategy";
    public static final String IDLE_STRATEGY_DEFAULT = "backoff";

    private ClientConfiguration()
    {
    }

    public static String nodeChannel()
    {
        return System.getProperty(NODE_CHANNEL_PROP_NAME, NodeConfiguration.CHANNEL_DEFAULT);
    }

    public static int nodeStreamId()
    {
        return Integer.getInteger(NODE_STREAM_ID_PROP_NAME, NodeConfiguration.STREAM_ID_DEFAULT);
    }

    public static String responseChannel()
    {
        return System.getProperty(RESPONSE_CHANNEL_PROP_NAME, RESPONSE_CHANNEL_DEFAULT);
    }

    public static int responseStreamId()
    {
        return Integer.getInteger(RESPONSE_STREAM_ID_PROP_NAME, RESPONSE_STREAM_ID_DEFAULT);
    }

    public static String aeronDir()
    {
        return System.getProperty(AERON_DIR_PROP_NAME);
    }

    public static long requestTimeoutMs()
    {
        return Long.getLong(REQUEST_TIMEOUT_MS_PROP_NAME, REQUEST_TIMEOUT_MS_DEFAULT);
    }

    public static long connectTimeoutMs()
    {
        return Long.getLong(CONNECT_TIMEOUT_MS_PROP_NAME, CONNECT_TIMEOUT_MS_DEFAULT);
    }

    public static long heartbeatIntervalMs()
    {
        return Long.getLong(HEARTBEAT_INTERVAL_MS_PROP_NAME, HEARTBEAT_INTERVAL_MS_DEFAULT);
    }

    public static int termLength()
    {
        return Integer.getInteger(TERM_LENGTH_PROP_NAME, TERM_LENGTH_DEFAULT);
    }

    public static String idleStrategy()
    {
        return System.getProperty(IDLE_STRATEGY_PROP_NAME, IDLE_STRATEGY_DEFAULT);
    }
}
