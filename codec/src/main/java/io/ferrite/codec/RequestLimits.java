package io.ferrite.codec;

/**
 * The one set of request limits a Ferrite endpoint enforces: the longest key, the largest value and the most keys
 * of one multi-get. A node, a replica group's log and its stale-read endpoints all decode requests with one
 * {@link RequestDecoder} holding one instance of this.
 * <p>
 * <b>Note:</b> immutable, so thread-safe.
 */
public final class RequestLimits
{
    /** Longest key the wire format and the engine accept (64 KiB). */
    public static final int MAX_KEY_LENGTH_BOUND = 64 * 1024;
    /** Most keys one multi-get can carry (the group count is a uint16, less one). */
    public static final int MAX_MULTI_GET_KEYS_BOUND = 65534;
    /** Bytes a request needs beyond its key and value (header, fixed block, length fields), rounded up. */
    public static final int REQUEST_OVERHEAD = 128;

    public static final int DEFAULT_MAX_KEY_LENGTH = 16 * 1024;
    public static final int DEFAULT_MAX_VALUE_LENGTH = 1024 * 1024;
    public static final int DEFAULT_MAX_MULTI_GET_KEYS = 1024;

    private final int maxKeyLength;
    private final int maxValueLength;
    private final int maxMultiGetKeys;

    /**
     * @throws IllegalArgumentException if a limit is out of its bounds.
     */
    public RequestLimits(final int maxKeyLength, final int maxValueLength, final int maxMultiGetKeys)
    {
        if (maxKeyLength < 1 || maxKeyLength > MAX_KEY_LENGTH_BOUND)
        {
            throw new IllegalArgumentException("maxKeyLength must be in [1, " + MAX_KEY_LENGTH_BOUND + "]: " +
                maxKeyLength);
        }
        if (maxValueLength < 0)
        {
            throw new IllegalArgumentException("maxValueLength must not be negative: " + maxValueLength);
        }
        if (maxMultiGetKeys < 1 || maxMultiGetKeys > MAX_MULTI_GET_KEYS_BOUND)
        {
            throw new IllegalArgumentException("maxMultiGetKeys must be in [1, " + MAX_MULTI_GET_KEYS_BOUND + "]: " +
                maxMultiGetKeys);
        }
        this.maxKeyLength = maxKeyLength;
        this.maxValueLength = maxValueLength;
        this.maxMultiGetKeys = maxMultiGetKeys;
    }

    /**
     * Check that the longest request (largest key and value) fits one message of {@code maxMessageLength} bytes.
     *
     * @return this.
     * @throws IllegalArgumentException if it does not.
     */
    public RequestLimits requireFits(final int maxMessageLength)
    {
        if ((long)maxKeyLength + maxValueLength + REQUEST_OVERHEAD > maxMessageLength)
        {
            throw new IllegalArgumentException("maxKeyLength + maxValueLength (" + maxKeyLength + " + " +
                maxValueLength + ") do not fit one message of " + maxMessageLength + " bytes (termLength / 8): " +
                "raise the term length or lower the limits");
        }
        return this;
    }

    public int maxKeyLength()
    {
        return maxKeyLength;
    }

    public int maxValueLength()
    {
        return maxValueLength;
    }

    public int maxMultiGetKeys()
    {
        return maxMultiGetKeys;
    }

    public String toString()
    {
        return "RequestLimits{maxKeyLength=" + maxKeyLength + ", maxValueLength=" + maxValueLength +
            ", maxMultiGetKeys=" + maxMultiGetKeys + "}";
    }
}
