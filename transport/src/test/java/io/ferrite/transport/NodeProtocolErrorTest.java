package io.ferrite.transport;

import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each kind of bad input gets its own error response, and the session goes on serving.
 */
@Timeout(60)
class NodeProtocolErrorTest
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;

    private final TestNodes nodes = new TestNodes();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private FerriteNode node;
    private RawClient raw;

    @BeforeEach
    void before()
    {
        node = FerriteNode.launch(nodes.nodeContext(TestNodes.freeUdpPort()));
        raw = new RawClient(node);
        raw.connect();
    }

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(raw, node);
        assertEquals(List.of(), nodes.errors);
    }

    private int get(final long correlationId, final int keyLength)
    {
        return HEADER + new GetRequestEncoder().wrapAndApplyHeader(raw.buffer, 0, headerEncoder)
            .clientId(99).correlationId(correlationId).putKey(new byte[keyLength], 0, keyLength).encodedLength();
    }

    private void assertError(final ErrorCode code, final long correlationId)
    {
        final RawClient.Error error = raw.awaitError();
        assertEquals(code, error.code(), error.message());
        assertEquals(correlationId, error.correlationId());
    }

    @Test
    void shouldAnswerTruncatedFrame()
    {
        raw.send(5);
        assertError(ErrorCode.MALFORMED_MESSAGE, -1);
        final int length = get(7, 10);
        raw.send(length - 3);
        assertError(ErrorCode.MALFORMED_MESSAGE, 7);
    }

    @Test
    void shouldAnswerUnknownTemplate()
    {
        final int length = get(8, 4);
        raw.buffer.putShort(2, (short)77);
        raw.send(length);
        assertError(ErrorCode.UNKNOWN_TEMPLATE, 8);
    }

    @Test
    void shouldAnswerWrongSchemaAndVersion()
    {
        int length = get(9, 4);
        raw.buffer.putShort(4, (short)1234);
        raw.send(length);
        assertError(ErrorCode.UNSUPPORTED_SCHEMA, 9);

        length = get(10, 4);
        raw.buffer.putShort(6, (short)(MessageHeaderEncoder.SCHEMA_VERSION + 1));
        raw.send(length);
        assertError(ErrorCode.UNSUPPORTED_VERSION, 10);
    }

    @Test
    void shouldAnswerOversizedKeyAndValue()
    {
        raw.send(get(11, 1025));
        assertError(ErrorCode.KEY_TOO_LARGE, 11);

        final byte[] value = new byte[TestNodes.MAX_VALUE_LENGTH + 1];
        final int length = HEADER + new PutRequestEncoder().wrapAndApplyHeader(raw.buffer, 0, headerEncoder)
            .clientId(99).correlationId(12).ttlMs(0).mode(PutMode.UPSERT).putKey(new byte[3], 0, 3)
            .putValue(value, 0, value.length).encodedLength();
        raw.send(length);
        assertError(ErrorCode.VALUE_TOO_LARGE, 12);
    }

    @Test
    void shouldAnswerLengthsThatRunPastTheFrame()
    {
        final int length = get(13, 4);
        raw.buffer.putInt(HEADER + GetRequestEncoder.BLOCK_LENGTH, Integer.MAX_VALUE);
        raw.send(length);
        assertError(ErrorCode.KEY_TOO_LARGE, 13);

        raw.buffer.putInt(HEADER + GetRequestEncoder.BLOCK_LENGTH, 100);
        raw.send(length);
        assertError(ErrorCode.MALFORMED_MESSAGE, 13);

        raw.buffer.putInt(HEADER + GetRequestEncoder.BLOCK_LENGTH, 0);
        raw.send(HEADER + GetRequestEncoder.BLOCK_LENGTH + 4);
        assertError(ErrorCode.INVALID_KEY, 13);

        raw.buffer.putShort(0, (short)5000);
        raw.send(length);
        assertError(ErrorCode.MALFORMED_MESSAGE, 13);

        raw.buffer.putShort(0, (short)8);
        raw.send(length);
        assertError(ErrorCode.MALFORMED_MESSAGE, 13);
    }

    @Test
    void shouldRefuseSessionsWithUnusableResponseChannels()
    {
        try (RawClient other = new RawClient(node); RawClient third = new RawClient(node))
        {
            other.sendConnect("aeron:tcp?endpoint=127.0.0.1:1", 1002);
            third.sendConnect("aeron:udp?endpoint=127.0.0.1:99999", 1002);
            TestNodes.awaitTrue("both refusals logged", 10_000, () ->
                nodes.events.stream().anyMatch((event) -> event.contains("bad response channel")) &&
                nodes.events.stream().anyMatch((event) -> event.contains("cannot publish responses")));
        }
        raw.send(get(17, 4));
        TestNodes.awaitTrue("get answered", 5_000, () ->
        {
            raw.poll();
            return raw.otherResponses > 0;
        });
    }

    @Test
    void shouldAnswerBadPutModeAndTooManyKeys()
    {
        final int length = HEADER + new PutRequestEncoder().wrapAndApplyHeader(raw.buffer, 0, headerEncoder)
            .clientId(99).correlationId(14).ttlMs(0).mode(PutMode.UPSERT).putKey(new byte[3], 0, 3)
            .putValue(new byte[3], 0, 3).encodedLength();
        raw.buffer.putByte(HEADER + 24, (byte)9);
        raw.send(length);
        assertError(ErrorCode.INVALID_ARGUMENT, 14);

        final MultiGetRequestEncoder multiGet = new MultiGetRequestEncoder()
            .wrapAndApplyHeader(raw.buffer, 0, headerEncoder).clientId(99).correlationId(15);
        final MultiGetRequestEncoder.KeysEncoder keys = multiGet.keysCount(node.context().maxMultiGetKeys() + 1);
        for (int i = 0; i <= node.context().maxMultiGetKeys(); i++)
        {
            keys.next().putKey(new byte[1], 0, 1);
        }
        raw.send(HEADER + multiGet.encodedLength());
        assertError(ErrorCode.TOO_MANY_KEYS, 15);

        raw.send(get(16, 4));
        TestNodes.awaitTrue("get answered after errors", 5_000, () ->
        {
            raw.poll();
            return raw.otherResponses > 0;
        });
    }
}
