package io.ferrite.codec;

import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.ConnectRequestDecoder;
import io.ferrite.codec.sbe.ConnectRequestEncoder;
import io.ferrite.codec.sbe.ConnectResponseDecoder;
import io.ferrite.codec.sbe.ConnectResponseEncoder;
import io.ferrite.codec.sbe.DeleteRequestDecoder;
import io.ferrite.codec.sbe.DeleteRequestEncoder;
import io.ferrite.codec.sbe.DeleteResponseDecoder;
import io.ferrite.codec.sbe.DeleteResponseEncoder;
import io.ferrite.codec.sbe.DisconnectRequestDecoder;
import io.ferrite.codec.sbe.DisconnectRequestEncoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.ErrorResponseEncoder;
import io.ferrite.codec.sbe.GetRequestDecoder;
import io.ferrite.codec.sbe.GetRequestEncoder;
import io.ferrite.codec.sbe.GetResponseDecoder;
import io.ferrite.codec.sbe.GetResponseEncoder;
import io.ferrite.codec.sbe.InvalidateRequestDecoder;
import io.ferrite.codec.sbe.InvalidateRequestEncoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import io.ferrite.codec.sbe.MultiGetRequestEncoder;
import io.ferrite.codec.sbe.MultiGetResponseDecoder;
import io.ferrite.codec.sbe.MultiGetResponseEncoder;
import io.ferrite.codec.sbe.PingRequestDecoder;
import io.ferrite.codec.sbe.PingRequestEncoder;
import io.ferrite.codec.sbe.PongResponseDecoder;
import io.ferrite.codec.sbe.PongResponseEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestDecoder;
import io.ferrite.codec.sbe.PutRequestEncoder;
import io.ferrite.codec.sbe.PutResponseDecoder;
import io.ferrite.codec.sbe.PutResponseEncoder;
import io.ferrite.codec.sbe.PutStatus;
import io.ferrite.codec.sbe.StatsRequestDecoder;
import io.ferrite.codec.sbe.StatsRequestEncoder;
import io.ferrite.codec.sbe.StatsResponseDecoder;
import io.ferrite.codec.sbe.StatsResponseEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every message of the schema survives encode, header check and decode, including 1 MiB values.
 */
@Timeout(30)
class SchemaRoundTripTest
{
    private static final int CAPACITY = 4 * 1024 * 1024;
    private static final long CLIENT_ID = 0x1234_5678_9ABCL;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final byte[] key = "user:42".getBytes(StandardCharsets.US_ASCII);

    private void readHeader(final int templateId, final int length)
    {
        headerDecoder.wrap(buffer, 0);
        assertEquals(MessageHeaderDecoder.SCHEMA_ID, headerDecoder.schemaId());
        assertEquals(MessageHeaderDecoder.SCHEMA_VERSION, headerDecoder.version());
        assertEquals(templateId, headerDecoder.templateId());
        assertEquals(length - MessageHeaderDecoder.ENCODED_LENGTH, decodedLength(headerDecoder.blockLength(), length));
    }

    private static int decodedLength(final int blockLength, final int encodedLength)
    {
        return encodedLength - MessageHeaderDecoder.ENCODED_LENGTH >= blockLength ?
            encodedLength - MessageHeaderDecoder.ENCODED_LENGTH : -1;
    }

    private static byte[] key(final GetRequestDecoder decoder)
    {
        final byte[] bytes = new byte[decoder.keyLength()];
        decoder.getKey(bytes, 0, bytes.length);
        return bytes;
    }

    @Test
    void shouldRoundTripConnectAndDisconnect()
    {
        final ConnectRequestEncoder connect = new ConnectRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(CLIENT_ID).correlationId(1).responseStreamId(1002).responseChannel("aeron:udp?endpoint=x:1");
        readHeader(ConnectRequestDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + connect.encodedLength());
        final ConnectRequestDecoder connectDecoder = new ConnectRequestDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(CLIENT_ID, connectDecoder.clientId());
        assertEquals(1, connectDecoder.correlationId());
        assertEquals(1002, connectDecoder.responseStreamId());
        assertEquals("aeron:udp?endpoint=x:1", connectDecoder.responseChannel());

        final ConnectResponseEncoder ack = new ConnectResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(1).clientId(CLIENT_ID).nodeInstanceId(77).maxKeyLength(1024).maxValueLength(1 << 20)
            .maxMultiGetKeys(256);
        readHeader(ConnectResponseDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + ack.encodedLength());
        final ConnectResponseDecoder ackDecoder = new ConnectResponseDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(1, ackDecoder.correlationId());
        assertEquals(CLIENT_ID, ackDecoder.clientId());
        assertEquals(77, ackDecoder.nodeInstanceId());
        assertEquals(1024, ackDecoder.maxKeyLength());
        assertEquals(1 << 20, ackDecoder.maxValueLength());
        assertEquals(256, ackDecoder.maxMultiGetKeys());

        final DisconnectRequestEncoder disconnect = new DisconnectRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(CLIENT_ID).correlationId(2);
        readHeader(DisconnectRequestDecoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + disconnect.encodedLength());
        final DisconnectRequestDecoder disconnectDecoder = new DisconnectRequestDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(CLIENT_ID, disconnectDecoder.clientId());
        assertEquals(2, disconnectDecoder.correlationId());
    }

    @Test
    void shouldRoundTripGet()
    {
        final GetRequestEncoder get = new GetRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(CLIENT_ID).correlationId(3).putKey(key, 0, key.length);
        readHeader(GetRequestDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + get.encodedLength());
        final GetRequestDecoder getDecoder = new GetRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(CLIENT_ID, getDecoder.clientId());
        assertEquals(3, getDecoder.correlationId());
        assertArrayEquals(key, key(getDecoder));

        final byte[] value = new byte[1024 * 1024];
        new Random(7).nextBytes(value);
        final GetResponseEncoder response = new GetResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(3).found(BooleanType.TRUE).putValue(value, 0, value.length);
        readHeader(GetResponseDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
        final GetResponseDecoder responseDecoder = new GetResponseDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(3, responseDecoder.correlationId());
        assertEquals(BooleanType.TRUE, responseDecoder.found());
        final byte[] decoded = new byte[responseDecoder.valueLength()];
        responseDecoder.getValue(decoded, 0, decoded.length);
        assertArrayEquals(value, decoded);
    }

    @Test
    void shouldRoundTripPut()
    {
        final byte[] value = "{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8);
        final PutRequestEncoder put = new PutRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(CLIENT_ID).correlationId(4).ttlMs(60_000).mode(PutMode.PUT_IF_ABSENT)
            .putKey(key, 0, key.length).putValue(value, 0, value.length);
        readHeader(PutRequestDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + put.encodedLength());
        final PutRequestDecoder putDecoder = new PutRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(CLIENT_ID, putDecoder.clientId());
        assertEquals(4, putDecoder.correlationId());
        assertEquals(60_000, putDecoder.ttlMs());
        assertEquals(PutMode.PUT_IF_ABSENT, putDecoder.mode());
        final byte[] decodedKey = new byte[putDecoder.keyLength()];
        putDecoder.getKey(decodedKey, 0, decodedKey.length);
        final byte[] decodedValue = new byte[putDecoder.valueLength()];
        putDecoder.getValue(decodedValue, 0, decodedValue.length);
        assertArrayEquals(key, decodedKey);
        assertArrayEquals(value, decodedValue);

        final PutResponseEncoder response = new PutResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(4).status(PutStatus.NOT_STORED);
        readHeader(PutResponseDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
        final PutResponseDecoder responseDecoder = new PutResponseDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(4, responseDecoder.correlationId());
        assertEquals(PutStatus.NOT_STORED, responseDecoder.status());
    }

    @Test
    void shouldRoundTripDeleteAndInvalidate()
    {
        final DeleteRequestEncoder delete = new DeleteRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(CLIENT_ID).correlationId(5).putKey(key, 0, key.length);
        readHeader(DeleteRequestDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + delete.encodedLength());
        final DeleteRequestDecoder deleteDecoder = new DeleteRequestDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(CLIENT_ID, deleteDecoder.clientId());
        assertEquals(5, deleteDecoder.correlationId());
        assertEquals(key.length, deleteDecoder.keyLength());

        final InvalidateRequestEncoder invalidate = new InvalidateRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(CLIENT_ID).correlationId(6)
            .putKey(key, 0, key.length);
        readHeader(InvalidateRequestDecoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + invalidate.encodedLength());
        final InvalidateRequestDecoder invalidateDecoder = new InvalidateRequestDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(6, invalidateDecoder.correlationId());
        final byte[] decodedKey = new byte[invalidateDecoder.keyLength()];
        invalidateDecoder.getKey(decodedKey, 0, decodedKey.length);
        assertArrayEquals(key, decodedKey);

        final DeleteResponseEncoder response = new DeleteResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(6).deleted(BooleanType.TRUE);
        readHeader(DeleteResponseDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
        final DeleteResponseDecoder responseDecoder = new DeleteResponseDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(6, responseDecoder.correlationId());
        assertEquals(BooleanType.TRUE, responseDecoder.deleted());
    }

    @Test
    void shouldRoundTripMultiGet()
    {
        final byte[][] keys = { "a".getBytes(StandardCharsets.US_ASCII), "bb".getBytes(StandardCharsets.US_ASCII),
            "ccc".getBytes(StandardCharsets.US_ASCII) };
        final MultiGetRequestEncoder request = new MultiGetRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(CLIENT_ID).correlationId(7);
        final MultiGetRequestEncoder.KeysEncoder keysEncoder = request.keysCount(keys.length);
        for (final byte[] k : keys)
        {
            keysEncoder.next().putKey(k, 0, k.length);
        }
        readHeader(MultiGetRequestDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + request.encodedLength());
        final MultiGetRequestDecoder requestDecoder = new MultiGetRequestDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(7, requestDecoder.correlationId());
        final MultiGetRequestDecoder.KeysDecoder keysDecoder = requestDecoder.keys();
        assertEquals(keys.length, keysDecoder.count());
        for (final byte[] k : keys)
        {
            keysDecoder.next();
            final byte[] decoded = new byte[keysDecoder.keyLength()];
            keysDecoder.getKey(decoded, 0, decoded.length);
            assertArrayEquals(k, decoded);
        }

        final MultiGetResponseEncoder response = new MultiGetResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(7);
        final MultiGetResponseEncoder.ValuesEncoder values = response.valuesCount(keys.length);
        for (int i = 0; i < keys.length; i++)
        {
            final byte[] value = 1 == i ? new byte[0] : keys[i];
            values.next().found(1 == i ? BooleanType.FALSE : BooleanType.TRUE).putValue(value, 0, value.length);
        }
        readHeader(MultiGetResponseDecoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
        final MultiGetResponseDecoder responseDecoder = new MultiGetResponseDecoder()
            .wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(7, responseDecoder.correlationId());
        final MultiGetResponseDecoder.ValuesDecoder valuesDecoder = responseDecoder.values();
        assertEquals(keys.length, valuesDecoder.count());
        for (int i = 0; i < keys.length; i++)
        {
            valuesDecoder.next();
            assertEquals(1 == i ? BooleanType.FALSE : BooleanType.TRUE, valuesDecoder.found());
            final byte[] decoded = new byte[valuesDecoder.valueLength()];
            valuesDecoder.getValue(decoded, 0, decoded.length);
            assertArrayEquals(1 == i ? new byte[0] : keys[i], decoded);
        }
    }

    @Test
    void shouldRoundTripPingAndStats()
    {
        final PingRequestEncoder ping = new PingRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(CLIENT_ID).correlationId(8).timestampNs(123_456_789L);
        readHeader(PingRequestDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + ping.encodedLength());
        final PingRequestDecoder pingDecoder = new PingRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(8, pingDecoder.correlationId());
        assertEquals(123_456_789L, pingDecoder.timestampNs());

        final PongResponseEncoder pong = new PongResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(8).timestampNs(123_456_789L);
        readHeader(PongResponseDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + pong.encodedLength());
        assertEquals(123_456_789L, new PongResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder)
            .timestampNs());

        final StatsRequestEncoder stats = new StatsRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(CLIENT_ID).correlationId(9);
        readHeader(StatsRequestDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + stats.encodedLength());
        assertEquals(9, new StatsRequestDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder).correlationId());

        final StatsResponseEncoder statsResponse = new StatsResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(9).nodeInstanceId(77).uptimeMs(1000)
            .size(1).liveBytes(2).capacityBytes(3).hits(4).misses(5).puts(6).deletes(7).evictions(8).expirations(9)
            .rejected(10).requests(11).errors(12).sessions(13);
        readHeader(StatsResponseDecoder.TEMPLATE_ID,
            MessageHeaderEncoder.ENCODED_LENGTH + statsResponse.encodedLength());
        final StatsResponseDecoder decoder = new StatsResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        final long[] expected = { 9, 77, 1000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };
        final long[] actual = { decoder.correlationId(), decoder.nodeInstanceId(), decoder.uptimeMs(), decoder.size(),
            decoder.liveBytes(), decoder.capacityBytes(), decoder.hits(), decoder.misses(), decoder.puts(),
            decoder.deletes(), decoder.evictions(), decoder.expirations(), decoder.rejected(), decoder.requests(),
            decoder.errors(), decoder.sessions() };
        assertEquals(Arrays.toString(expected), Arrays.toString(actual));
    }

    @Test
    void shouldRoundTripError()
    {
        final ErrorResponseEncoder error = new ErrorResponseEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(10).requestTemplateId(PutRequestEncoder.TEMPLATE_ID).code(ErrorCode.VALUE_TOO_LARGE)
            .message("value of 2097152 bytes is over the limit of 1048576");
        readHeader(ErrorResponseDecoder.TEMPLATE_ID, MessageHeaderEncoder.ENCODED_LENGTH + error.encodedLength());
        final ErrorResponseDecoder decoder = new ErrorResponseDecoder().wrapAndApplyHeader(buffer, 0, headerDecoder);
        assertEquals(10, decoder.correlationId());
        assertEquals(PutRequestEncoder.TEMPLATE_ID, decoder.requestTemplateId());
        assertEquals(ErrorCode.VALUE_TOO_LARGE, decoder.code());
        assertEquals("value of 2097152 bytes is over the limit of 1048576", decoder.message());
    }
}
