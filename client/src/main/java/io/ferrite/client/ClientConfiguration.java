package io.ferrite.client;

import io.ferrite.codec.RequestLimits;

/**
 * System properties and defaults of a client; a {@link ClientContext} starts from these.
 */
public final class ClientConfiguration
{
    /** Channel of a node's request subscription (single-node mode). */
    public static final String NODE_CHANNEL_PROP_NAME = "ferrite.client.node.channel";
    /** The node's default request channel, as the node listens by default. */
    public static final String NODE_CHANNEL_DEFAULT = "aeron:udp?endpoint=127.0.0.1:7456";

    /** Stream id of a node's request subscription. */
    public static final String NODE_STREAM_ID_PROP_NAME = "ferrite.client.node.stream.id";
    public static final int NODE_STREAM_ID_DEFAULT = 1001;

    /** Channel the client receives a node's responses on; port 0 picks a free port. */
    public static final String RESPONSE_CHANNEL_PROP_NAME = "ferrite.client.response.channel";
    public static final String RESPONSE_CHANNEL_DEFAULT = "aeron:udp?endpoint=127.0.0.1:0";

    /** Stream id of a node's responses. */
    public static final String RESPONSE_STREAM_ID_PROP_NAME = "ferrite.client.response.stream.id";
    public static final int RESPONSE_STREAM_ID_DEFAULT = 1002;

    /** Host replica groups send responses (egress) to. */
    public static final String EGRESS_HOST_PROP_NAME = "ferrite.client.egress.host";
    public static final String EGRESS_HOST_DEFAULT = "127.0.0.1";

    /** Directory of an external media driver; unset launches an embedded driver. */
    public static final String AERON_DIR_PROP_NAME = "ferrite.client.aeron.dir";

    /** How long a request may take, redirects, resends and cut-over retries included. */
    public static final String REQUEST_TIMEOUT_MS_PROP_NAME = "ferrite.client.request.timeout.ms";
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 10_000;

    /** How long connecting (to a node, or to every group's leader) may take. */
    public static final String CONNECT_TIMEOUT_MS_PROP_NAME = "ferrite.client.connect.timeout.ms";
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 10_000;

    /** A node session pings after this long without a response; a group session sends a keep-alive. */
    public static final String HEARTBEAT_INTERVAL_MS_PROP_NAME = "ferrite.client.heartbeat.interval.ms";
    public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 1000;

    /** Term length of the request publications (sparse); a request is at most an eighth of it. */
    public static final String TERM_LENGTH_PROP_NAME = "ferrite.client.term.length";
    public static final int TERM_LENGTH_DEFAULT = 16 * 1024 * 1024;

    /**
     * Idle strategy of the client's background poller, which completes async requests and keeps sessions alive:
     * {@code backoff} (default) parks at most {@link IdleStrategies#BACKOFF_MAX_PARK_NS} (100 us).
     */
    public static final String IDLE_STRATEGY_PROP_NAME = "ferrite.client.idle.strategy";
    public static final String IDLE_STRATEGY_DEFAULT = "backoff";

    /** Longest key the client sends; must match the servers' limit. */
    public static final String MAX_KEY_LENGTH_PROP_NAME = "ferrite.client.max.key.length";

    /** Largest value the client sends; unset, the servers' default or what fits one message. */
    public static final String MAX_VALUE_LENGTH_PROP_NAME = "ferrite.client.max.value.length";

    /** Most keys of one multi-get message (a larger multi-get is split); must not exceed the servers' limit. */
    public static final String MAX_MULTI_GET_KEYS_PROP_NAME = "ferrite.client.max.multi.get.keys";

    /** Most requests in flight at once (at most 256, the groups' deduplication window). */
    public static final String MAX_IN_FLIGHT_PROP_NAME = "ferrite.client.max.in.flight";
    public static final int MAX_IN_FLIGHT_DEFAULT = 256;

    private ClientConfiguration()
    {
    }

    public static String nodeChannel()
    {
        return System.getProperty(NODE_CHANNEL_PROP_NAME, NODE_CHANNEL_DEFAULT);
    }

    public static int nodeStreamId()
    {
        return Integer.getInteger(NODE_STREAM_ID_PROP_NAME, NODE_STREAM_ID_DEFAULT);
    }

    public static String responseChannel()
    {
        return System.getProperty(RESPONSE_CHANNEL_PROP_NAME, RESPONSE_CHANNEL_DEFAULT);
    }

    public static int responseStreamId()
    {
        return Integer.getInteger(RESPONSE_STREAM_ID_PROP_NAME, RESPONSE_STREAM_ID_DEFAULT);
    }

    public static String egressHost()
    {
        return System.getProperty(EGRESS_HOST_PROP_NAME, EGRESS_HOST_DEFAULT);
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

    public static int maxKeyLength()
    {
        return Integer.getInteger(MAX_KEY_LENGTH_PROP_NAME, RequestLimits.DEFAULT_MAX_KEY_LENGTH);
    }

    /**
     * @return the configured largest value, or -1 for "derive it".
     */
    public static int maxValueLength()
    {
        return Integer.getInteger(MAX_VALUE_LENGTH_PROP_NAME, -1);
    }

    public static int maxMultiGetKeys()
    {
        return Integer.getInteger(MAX_MULTI_GET_KEYS_PROP_NAME, RequestLimits.DEFAULT_MAX_MULTI_GET_KEYS);
    }

    public static int maxInFlight()
    {
        return Integer.getInteger(MAX_IN_FLIGHT_PROP_NAME, MAX_IN_FLIGHT_DEFAULT);
    }
}
