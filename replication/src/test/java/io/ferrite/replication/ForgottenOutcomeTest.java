package io.ferrite.replication;

import io.aeron.DirectBufferVector;
import io.aeron.cluster.service.ClientSession;
import io.aeron.logbuffer.BufferClaim;
import io.ferrite.codec.RequestLimits;
import io.ferrite.codec.sbe.CompareAndSetRequestEncoder;
import io.ferrite.codec.sbe.DeleteRequestEncoder;
import io.ferrite.codec.sbe.DeleteResponseDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import io.ferrite.codec.sbe.PutResponseDecoder;
import io.ferrite.codec.sbe.PutStatus;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A write resent after its outcome left the client's deduplication window (more than {@link
 * RequestDeduplicator#WINDOW} later writes of the client were applied while its answer was lost) must not be applied
 * a second time: it is answered {@code OUTCOME_FORGOTTEN}. Applied again, an old put brings back a value that was
 * deleted and overwritten long before, and a compare-and-set expecting that value then succeeds (the same shape as
 * the lossy nemesis's violation, which had another cause: its two values were only 56 of the client's operations
 * apart, so the window still held the put; see the client's {@code RequestHandOffTest}).
 */
@Timeout(30)
class ForgottenOutcomeTest
{
    private static final long CLIENT = 0x1234_5678_9ABCL;
    private static final long OTHER_CLIENT = 0x0FED_CBA9L;

    private final FerriteStore store = FerriteStore.open(new StoreContext().capacityBytes(8 << 20));
    private final RequestDeduplicator deduplicator = new RequestDeduplicator(16);
    private final ClusterCommandHandler handler = new ClusterCommandHandler(
        deduplicator, new RequestLimits(1024, 64 * 1024, 16), 64 * 1024, 0);
    private final RecordingSession session = new RecordingSession(1);
    private final RecordingSession otherSession = new RecordingSession(2);
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PutRequestEncoder putEncoder = new PutRequestEncoder();
    private final DeleteRequestEncoder deleteEncoder = new DeleteRequestEncoder();
    private final CompareAndSetRequestEncoder casEncoder = new CompareAndSetRequestEncoder();

    ForgottenOutcomeTest()
    {
        handler.store(store, NoOpIdleStrategy.INSTANCE, (sessionId) -> true);
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void shouldNotApplyAResentPutAgainOnceItsOutcomeLeftTheWindow()
    {
        put(session, CLIENT, 1, "k", "c0-758");
        assertEquals(PutResponseDecoder.TEMPLATE_ID, session.templateId, "first apply");
        for (int i = 0; i < RequestDeduplicator.WINDOW; i++)
        {
            put(session, CLIENT, 2 + i, "other-" + i, "x");
        }
        delete(otherSession, OTHER_CLIENT, 1, "k");
        assertEquals(DeleteResponseDecoder.TEMPLATE_ID, otherSession.templateId);
        put(otherSession, OTHER_CLIENT, 2, "k", "c1-900");

        put(session, CLIENT, 1, "k", "c0-758");

        assertEquals("c1-900", value("k"), "the resent put was applied a second time");
        assertEquals(ErrorResponseDecoder.TEMPLATE_ID, session.templateId);
        assertEquals(ErrorCode.OUTCOME_FORGOTTEN, session.errorCode);
        assertEquals(1, session.correlationId);

        compareAndSet(session, CLIENT, 2 + RequestDeduplicator.WINDOW, "k", "c0-758", "c0-814");
        assertEquals(PutResponseDecoder.TEMPLATE_ID, session.templateId);
        assertFalse(session.stored, "a compare-and-set expecting the overwritten value must fail");
        assertEquals("c1-900", value("k"));
    }

    @Test
    void shouldNotApplyAResentDeleteOrCompareAndSetAgainOnceItsOutcomeLeftTheWindow()
    {
        put(session, CLIENT, 1, "d", "v1");
        delete(session, CLIENT, 2, "d");
        put(session, CLIENT, 3, "c", "v1");
        compareAndSet(session, CLIENT, 4, "c", "v1", "v2");
        for (int i = 0; i < RequestDeduplicator.WINDOW; i++)
        {
            put(session, CLIENT, 5 + i, "other-" + i, "x");
        }
        put(otherSession, OTHER_CLIENT, 1, "d", "again");
        put(otherSession, OTHER_CLIENT, 2, "c", "v1");

        delete(session, CLIENT, 2, "d");
        assertEquals("again", value("d"), "the resent delete was applied a second time");
        assertEquals(ErrorCode.OUTCOME_FORGOTTEN, session.errorCode);

        compareAndSet(session, CLIENT, 4, "c", "v1", "v2");
        assertEquals("v1", value("c"), "the resent compare-and-set was applied a second time");
        assertEquals(ErrorCode.OUTCOME_FORGOTTEN, session.errorCode);
    }

    @Test
    void shouldStillApplyNewWritesAndAnswerRememberedOnes()
    {
        for (int i = 1; i <= RequestDeduplicator.WINDOW + 10; i++)
        {
            put(session, CLIENT, i, "k" + i, "v" + i);
        }
        put(session, CLIENT, RequestDeduplicator.WINDOW + 10, "k", "resent");
        assertEquals(PutResponseDecoder.TEMPLATE_ID, session.templateId, "a remembered write gets its outcome");
        assertNull(value("k"), "a remembered write is not applied again");
        put(session, CLIENT, RequestDeduplicator.WINDOW + 11, "k", "new");
        assertEquals(PutResponseDecoder.TEMPLATE_ID, session.templateId);
        assertEquals("new", value("k"));
    }

    private void put(
        final ClientSession session, final long clientId, final long correlationId, final String key,
        final String value)
    {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        final byte[] v = value.getBytes(StandardCharsets.UTF_8);
        putEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(clientId).correlationId(correlationId)
            .ttlMs(0).mode(PutMode.UPSERT).putKey(k, 0, k.length).putValue(v, 0, v.length);
        handler.onMessage(session, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + putEncoder.encodedLength());
    }

    private void delete(final ClientSession session, final long clientId, final long correlationId, final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        deleteEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(clientId).correlationId(correlationId)
            .putKey(k, 0, k.length);
        handler.onMessage(session, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + deleteEncoder.encodedLength());
    }

    private void compareAndSet(
        final ClientSession session, final long clientId, final long correlationId, final String key,
        final String expected, final String value)
    {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        final byte[] e = expected.getBytes(StandardCharsets.UTF_8);
        final byte[] v = value.getBytes(StandardCharsets.UTF_8);
        casEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(clientId).correlationId(correlationId)
            .ttlMs(0).putKey(k, 0, k.length).putExpected(e, 0, e.length).putValue(v, 0, v.length);
        handler.onMessage(session, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + casEncoder.encodedLength());
    }

    private String value(final String key)
    {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        if (!store.peekView(new UnsafeBuffer(k), 0, k.length, view))
        {
            return null;
        }
        final byte[] v = new byte[view.capacity()];
        view.getBytes(0, v);
        return new String(v, StandardCharsets.UTF_8);
    }

    /**
     * A leader's client session that decodes the last answer it was given.
     */
    private static final class RecordingSession implements ClientSession
    {
        private final long id;
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final PutResponseDecoder putResponse = new PutResponseDecoder();
        private final DeleteResponseDecoder deleteResponse = new DeleteResponseDecoder();
        private final ErrorResponseDecoder errorResponse = new ErrorResponseDecoder();
        int templateId;
        long correlationId;
        boolean stored;
        ErrorCode errorCode;

        RecordingSession(final long id)
        {
            this.id = id;
        }

        public long id()
        {
            return id;
        }

        public int responseStreamId()
        {
            return 102;
        }

        public String responseChannel()
        {
            return "aeron:ipc";
        }

        public byte[] encodedPrincipal()
        {
            return new byte[0];
        }

        public void close()
        {
        }

        public boolean isClosing()
        {
            return false;
        }

        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            header.wrap(buffer, offset);
            templateId = header.templateId();
            errorCode = null;
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            switch (templateId)
            {
                case PutResponseDecoder.TEMPLATE_ID:
                    putResponse.wrap(buffer, body, header.blockLength(), header.version());
                    correlationId = putResponse.correlationId();
                    stored = PutStatus.STORED == putResponse.status();
                    break;
                case DeleteResponseDecoder.TEMPLATE_ID:
                    deleteResponse.wrap(buffer, body, header.blockLength(), header.version());
                    correlationId = deleteResponse.correlationId();
                    break;
                case ErrorResponseDecoder.TEMPLATE_ID:
                    errorResponse.wrap(buffer, body, header.blockLength(), header.version());
                    correlationId = errorResponse.correlationId();
                    errorCode = errorResponse.code();
                    break;
                default:
                    break;
            }
            return length;
        }

        public long offer(final DirectBufferVector[] vectors)
        {
            throw new UnsupportedOperationException();
        }

        public long tryClaim(final int length, final BufferClaim bufferClaim)
        {
            throw new UnsupportedOperationException();
        }
    }
}
