package io.ferrite.replication;

import io.ferrite.codec.sbe.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A diagnostic trace for fault tests, off by default ({@link #PROP_NAME}): one {@code FERRITE-TRACE} line on the
 * member's standard output per write the service applies (client instance id, correlation id, outcome, key and
 * values, in log order), per resent write answered from the deduplication window (with how many of the client's
 * outcomes were recorded since: near {@link RequestDeduplicator#WINDOW} it was nearly forgotten), per write refused
 * as {@code OUTCOME_FORGOTTEN}, and per answer a leader gave up sending, so
 * a nemesis history can be matched to what each member applied and answered. When off, the only cost is a test of a
 * static final flag.
 * <b>Note:</b> called on the service thread.
 */
final class WriteTrace
{
    /** Set to {@code true} to print the trace. */
    public static final String PROP_NAME = "ferrite.replication.trace.writes";
    static final boolean ENABLED = Boolean.getBoolean(PROP_NAME);
    private static final int MOCKED_KEPT = 64;
    private static final long[] MOCKED_SESSIONS = new long[MOCKED_KEPT];
    private static final long[] MOCKED_IDS = new long[MOCKED_KEPT];
    private static final long[] MOCKED_NS = new long[MOCKED_KEPT];
    private static long mockedCount;

    private WriteTrace()
    {
    }

    static void applied(
        final String kind, final long clientId, final long correlationId, final int result, final DirectBuffer buffer,
        final int keyOffset, final int keyLength, final int expectedOffset, final int expectedLength,
        final int valueOffset, final int valueLength)
    {
        System.out.println("FERRITE-TRACE " + kind + " client=" + Long.toHexString(clientId) + " id=" + correlationId +
            " result=" + result + " key=" + text(buffer, keyOffset, keyLength) +
            (expectedLength < 0 ? "" : " expected=" + text(buffer, expectedOffset, expectedLength)) +
            (valueLength < 0 ? "" : " value=" + text(buffer, valueOffset, valueLength)));
    }

    /**
     * A resent write answered with its first outcome, recorded {@code age} of the client's outcomes ago.
     */
    static void duplicate(final long clientId, final long correlationId, final int templateId, final int age)
    {
        System.out.println("FERRITE-TRACE duplicate client=" + Long.toHexString(clientId) + " id=" + correlationId +
            " template=" + templateId + " age=" + age);
    }

    static void forgotten(final long clientId, final long correlationId, final int templateId)
    {
        System.out.println("FERRITE-TRACE forgotten client=" + Long.toHexString(clientId) + " id=" + correlationId +
            " template=" + templateId);
    }

    /**
     * A leader gave up sending the response at the start of {@code response} (the offer's last result).
     */
    static void undelivered(final long sessionId, final DirectBuffer response, final long result)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(response, 0);
        // every response's block starts with its correlation id
        System.out.println("FERRITE-TRACE undelivered session=" + sessionId + " template=" + header.templateId() +
            " id=" + response.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN) + " offer=" +
            result);
    }

    /**
     * A response was dropped because the service's role is not leader (normal on a follower); kept, not printed,
     * until {@link #becameLeader}.
     */
    static void mocked(final long sessionId, final DirectBuffer response)
    {
        final int i = (int)(mockedCount++ % MOCKED_KEPT);
        MOCKED_SESSIONS[i] = sessionId;
        MOCKED_IDS[i] = response.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
        MOCKED_NS[i] = System.nanoTime();
    }

    /**
     * The service's role became leader at {@code logPosition}: print the responses it dropped as a follower in the
     * last 50 ms (answers to requests it applied while its consensus module may already have been leader).
     */
    static void becameLeader(final long logPosition)
    {
        final long nowNs = System.nanoTime();
        System.out.println("FERRITE-TRACE leader position=" + logPosition);
        for (long n = Math.max(0, mockedCount - MOCKED_KEPT); n < mockedCount; n++)
        {
            final int i = (int)(n % MOCKED_KEPT);
            final long ageUs = (nowNs - MOCKED_NS[i]) / 1000;
            if (ageUs < 50_000)
            {
                System.out.println("FERRITE-TRACE mocked session=" + MOCKED_SESSIONS[i] + " id=" + MOCKED_IDS[i] +
                    " us-before-leader=" + ageUs);
            }
        }
        mockedCount = 0;
    }

    private static String text(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
