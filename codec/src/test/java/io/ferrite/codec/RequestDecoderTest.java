package io.ferrite.codec;

import io.ferrite.codec.sbe.CompareAndSetRequestEncoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import io.ferrite.codec.sbe.MultiGetRequestEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared request decoder: one set of limits, every length checked against the frame, and errors that name
 * the request's correlation id whenever the frame holds one.
 */
@Timeout(30)
class RequestDecoderTest
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(256 * 1024));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final Recorder recorder = new Recorder();
    private final RequestDecoder decoder = new RequestDecoder(new RequestLimits(100, 1000, 4), recorder);

    private int get(final long correlationId, final int keyLength)
    {
        return HEADER + new GetRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(5).correlationId(correlationId).putKey(new byte[keyLength], 0, keyLength).encodedLength();
    }

    private int put(final long correlationId, final int keyLength, final int valueLength)
    {
        return HEADER + new PutRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(5).correlationId(correlationId).ttlMs(0).mode(PutMode.UPSERT)
            .putKey(new byte[keyLength], 0, keyLength).putValue(new byte[valueLength], 0, valueLength)
            .encodedLength();
    }

    private void assertError(final ErrorCode code, final long correlationId, final int length)
    {
        recorder.reset();
        decoder.decode(buffer, 0, length);
        assertEquals(code, recorder.code, recorder.reason);
        assertEquals(correlationId, recorder.correlationId, "the error must name the request: " + recorder.reason);
        assertEquals(1, recorder.calls, "exactly one callback per frame");
    }

    @Test
    void shouldNameTheRequestInHeaderLevelErrors()
    {
        int length = get(41, 3);
        buffer.putShort(2, (short)77);
        assertError(ErrorCode.UNKNOWN_TEMPLATE, 41, length);

        length = get(42, 3);
        buffer.putShort(4, (short)1234);
        assertError(ErrorCode.UNSUPPORTED_SCHEMA, 42, length);

        length = get(43, 3);
        buffer.putShort(6, (short)(MessageHeaderEncoder.SCHEMA_VERSION + 1));
        assertError(ErrorCode.UNSUPPORTED_VERSION, 43, length);

        length = get(44, 3);
        buffer.putShort(0, (short)8);
        assertError(ErrorCode.MALFORMED_MESSAGE, 44, length);

        length = get(45, 3);
        buffer.putShort(0, (short)5000);
        assertError(ErrorCode.MALFORMED_MESSAGE, 45, length);

        get(46, 3);
        assertError(ErrorCode.MALFORMED_MESSAGE, 46, HEADER + GetRequestEncoder.BLOCK_LENGTH + 2);
        assertError(ErrorCode.MALFORMED_MESSAGE, RequestDecoder.NO_CORRELATION_ID, HEADER + 15);
        assertError(ErrorCode.MALFORMED_MESSAGE, RequestDecoder.NO_CORRELATION_ID, 5);
    }

    @Test
    void shouldEnforceOneSetOfLimits()
    {
        assertError(ErrorCode.KEY_TOO_LARGE, 1, get(1, 101));
        assertError(ErrorCode.INVALID_KEY, 2, get(2, 0));
        assertError(ErrorCode.VALUE_TOO_LARGE, 3, put(3, 5, 1001));
        assertError(ErrorCode.KEY_TOO_LARGE, 4, put(4, 101, 5));

        final int cas = HEADER + new CompareAndSetRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(5).correlationId(5).ttlMs(0).putKey(new byte[4], 0, 4).putExpected(new byte[1001], 0, 1001)
            .putValue(new byte[4], 0, 4).encodedLength();
        assertError(ErrorCode.VALUE_TOO_LARGE, 5, cas);

        final MultiGetRequestEncoder.KeysEncoder keys = new MultiGetRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(5).correlationId(6).keysCount(5);
        for (int i = 0; i < 5; i++)
        {
            keys.next().putKey(new byte[2], 0, 2);
        }
        assertError(ErrorCode.TOO_MANY_KEYS, 6, HEADER + 16 + 4 + 5 * 6);

        final int putLength = put(7, 3, 3);
        buffer.putByte(HEADER + 24, (byte)9);
        assertError(ErrorCode.INVALID_ARGUMENT, 7, putLength);

        final int lying = get(8, 4);
        buffer.putInt(HEADER + GetRequestEncoder.BLOCK_LENGTH, 50);
        assertError(ErrorCode.MALFORMED_MESSAGE, 8, lying);
    }

    @Test
    void shouldDecodeValidRequestsAndIgnoreTrailingBytes()
    {
        recorder.reset();
        final int length = put(9, 100, 1000);
        decoder.decode(buffer, 0, length + 7);
        assertEquals(1, recorder.calls);
        assertEquals(null, recorder.code, recorder.reason);
        assertEquals(9, recorder.correlationId);
        assertEquals(100, recorder.keyLength);
        assertEquals(1000, recorder.valueLength);

        recorder.reset();
        decoder.decode(buffer, 0, get(10, 100));
        assertEquals(10, recorder.correlationId);
        assertEquals(100, recorder.keyLength);
    }

    @Test
    void shouldDecodeValidRequestsWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation counting not supported");
        final int length = put(11, 20, 200);
        for (int i = 0; i < 20_000; i++)
        {
            decoder.decode(buffer, 0, length);
        }
        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 100_000; i++)
        {
            decoder.decode(buffer, 0, length);
        }
        final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals(null, recorder.code, recorder.reason);
        assertEquals(true, allocated < 1024, "decoding 100,000 puts allocated " + allocated + " bytes");
    }

    private static final class Recorder implements RequestListener
    {
        int calls;
        long correlationId;
        int keyLength;
        int valueLength;
        ErrorCode code;
        String reason;

        void reset()
        {
            calls = 0;
            correlationId = Long.MIN_VALUE;
            code = null;
            reason = null;
        }

        public void onGet(
            final long clientId, final long correlationId, final DirectBuffer buffer, final int keyOffset,
            final int keyLength)
        {
            calls++;
            this.correlationId = correlationId;
            this.keyLength = keyLength;
        }

        public void onPut(
            final long clientId, final long correlationId, final long ttlMs, final int mode, final DirectBuffer buffer,
            final int keyOffset, final int keyLength, final int valueOffset, final int valueLength)
        {
            calls++;
            this.correlationId = correlationId;
            this.keyLength = keyLength;
            this.valueLength = valueLength;
        }

        public void onDelete(
            final long clientId, final long correlationId, final int templateId, final DirectBuffer buffer,
            final int keyOffset, final int keyLength)
        {
            calls++;
            this.correlationId = correlationId;
        }

        public void onMultiGet(final long clientId, final long correlationId, final MultiGetRequestDecoder decoder)
        {
            calls++;
            this.correlationId = correlationId;
        }

        public void onPing(final long clientId, final long correlationId, final long timestampNs)
        {
            calls++;
        }

        public void onStats(final long clientId, final long correlationId)
        {
            calls++;
        }

        public void onInvalidRequest(
            final long correlationId, final int templateId, final ErrorCode code, final String reason)
        {
            calls++;
            this.correlationId = correlationId;
            this.code = code;
            this.reason = reason;
        }
    }
}
