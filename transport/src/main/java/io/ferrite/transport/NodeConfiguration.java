package io.ferrite.transport;

import io.ferrite.client.IdleStrategies;

/**
 * System properties and defaults of a node; a {@link NodeContext} starts from these.
 */
public final class NodeConfiguration
{
    /** Channel the node subscribes to for requests. */
    public static final String CHANNEL_PROP_NAME = "ferrite.node.channel";
    public static final String CHANNEL_DEFAULT = "aeron:udp?endpoint=127.0.0.1:7456";

    /** Stream id of requests on {@link #CHANNEL_PROP_NAME}. */
    public static final String STREAM_ID_PROP_NAME = "ferrite.node.stream.id";
    public static final int STREAM_ID_DEFAULT = 1001;

    /** Directory of an external media driver; unset launches an embedded driver with its own directory. */
    public static final String AERON_DIR_PROP_NAME = "ferrite.node.aeron.dir";

    /** Idle strategy of the node's store thread: backoff, sleeping, yielding or busy (see {@link IdleStrategies}). */
    public static final String IDLE_STRATEGY_PROP_NAME = "ferrite.node.idle.strategy";
    public static final String IDLE_STRATEGY_DEFAULT = "backoff";

    /** Longest key the node accepts, in bytes. */
    public static final String MAX_KEY_LENGTH_PROP_NAME = "ferrite.node.max.key.length";
    public static final int MAX_KEY_LENGTH_DEFAULT = 16 * 1024;

    /** Largest value the node accepts, in bytes. */
    public static final String MAX_VALUE_LENGTH_PROP_NAME = "ferrite.node.max.value.length";
    public static final int MAX_VALUE_LENGTH_DEFAULT = 1024 * 1024;

    /** Most keys in one multi-get. */
    public static final String MAX_MULTI_GET_KEYS_PROP_NAME = "ferrite.node.max.multi.get.keys";
    public static final int MAX_MULTI_GET_KEYS_DEFAULT = 1024;

    /** Most client sessions at once. */
    public static final String MAX_SESSIONS_PROP_NAME = "ferrite.node.max.sessions";
    public static final int MAX_SESSIONS_DEFAULT = 64;

    /**
     * Term length of response publications (sparse files); the largest message is an eighth of it, so the default
     * carries 1 MiB values.
     */
    public static final String TERM_LENGTH_PROP_NAME = "ferrite.node.term.length";
    public static final int TERM_LENGTH_DEFAULT = 16 * 1024 * 1024;

    /** How long a client's responses may stay back-pressured before its session is closed. */
    public static final String SEND_TIMEOUT_MS_PROP_NAME = "ferrite.node.send.timeout.ms";
    public static final long SEND_TIMEOUT_MS_DEFAULT = 1000;

    /** How long a new session's response publication may take to connect before the session is dropped. */
    public static final String CONNECT_TIMEOUT_MS_PROP_NAME = "ferrite.node.connect.timeout.ms";
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 5000;

    private NodeConfiguration()
    {
    }

    public static String channel()
    {
        return System.getProperty(CHANNEL_PROP_NAME, CHANNEL_DEFAULT);
    }

    public static int streamId()
    {
        return Integer.getInteger(STREAM_ID_PROP_NAME, STREAM_ID_DEFAULT);
    }

    public static String aeronDir()
    {
        return System.getProperty(AERON_DIR_PROP_NAME);
    }

    public static String idleStrategy()
    {
        return System.getProperty(IDLE_STRATEGY_PROP_NAME, IDLE_STRATEGY_DEFAULT);
    }

    public static int maxKeyLength()
    {
        return Integer.getInteger(MAX_KEY_LENGTH_PROP_NAME, MAX_KEY_LENGTH_DEFAULT);
    }

    public static int maxValueLength()
    {
        return Integer.getInteger(MAX_VALUE_LENGTH_PROP_NAME, MAX_VALUE_LENGTH_DEFAULT);
    }

    public static int maxMultiGetKeys()
    {
        return Integer.getInteger(MAX_MULTI_GET_KEYS_PROP_NAME, MAX_MULTI_GET_KEYS_DEFAULT);
    }

    public static int maxSessions()
    {
        return Integer.getInteger(MAX_SESSIONS_PROP_NAME, MAX_SESSIONS_DEFAULT);
    }

    public static int termLength()
    {
        return Integer.getInteger(TERM_LENGTH_PROP_NAME, TERM_LENGTH_DEFAULT);
    }

    public static long sendTimeoutMs()
    {
        return Long.getLong(SEND_TIMEOUT_MS_PROP_NAME, SEND_TIMEOUT_MS_DEFAULT);
    }

    public static long connectTimeoutMs()
    {
        return Long.getLong(CONNECT_TIMEOUT_MS_PROP_NAME, CONNECT_TIMEOUT_MS_DEFAULT);
    }
}
