package io.ferrite.codec;

import io.ferrite.codec.sbe.CompareAndSetRequestDecoder;
import io.ferrite.codec.sbe.ConnectRequestDecoder;
import io.ferrite.codec.sbe.DisconnectRequestDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import org.agrona.DirectBuffer;

/**
 * Receives the requests a {@link RequestDecoder} decoded and validated: every length lies within the frame and
 * within the decoder's {@link RequestLimits}, keys are not empty, enums hold known values. Requests an endpoint
 * does not serve have default methods that answer {@link ErrorCode#UNSUPPORTED_REQUEST}.
 * <p>
 * Buffers passed in are valid only during the call.
 */
public interface RequestListener
{
    /**
     * @param credentials the client's credentials in {@link Credentials}' wire form, empty when it sent none.
     */
    default void onConnect(
        long clientId, long correlationId, int responseStreamId, String responseChannel, byte[] credentials)
    {
        onInvalidRequest(correlationId, ConnectRequestDecoder.TEMPLATE_ID, ErrorCode.UNSUPPORTED_REQUEST,
            "connect is not served by this endpoint");
    }

    default void onDisconnect(long clientId, long correlationId)
    {
        onInvalidRequest(correlationId, DisconnectRequestDecoder.TEMPLATE_ID, ErrorCode.UNSUPPORTED_REQUEST,
            "disconnect is not served by this endpoint");
    }

    void onGet(long clientId, long correlationId, DirectBuffer buffer, int keyOffset, int keyLength);

    /**
     * @param mode a valid {@code PutMode} value: 0 upsert, 1 put-if-absent, 2 replace (the engine's constants).
     */
    void onPut(
        long clientId,
        long correlationId,
        long ttlMs,
        int mode,
        DirectBuffer buffer,
        int keyOffset,
        int keyLength,
        int valueOffset,
        int valueLength);

    /**
     * A delete, or an invalidate ({@code templateId} tells which; both remove the entry).
     */
    void onDelete(
        long clientId, long correlationId, int templateId, DirectBuffer buffer, int keyOffset, int keyLength);

    default void onCompareAndSet(
        long clientId,
        long correlationId,
        long ttlMs,
        DirectBuffer buffer,
        int keyOffset,
        int keyLength,
        int expectedOffset,
        int expectedLength,
        int valueOffset,
        int valueLength)
    {
        onInvalidRequest(correlationId, CompareAndSetRequestDecoder.TEMPLATE_ID, ErrorCode.UNSUPPORTED_REQUEST,
            "compare-and-set is not served by this endpoint");
    }

    /**
     * A multi-get whose keys were all checked; {@code decoder} is wrapped at the start of its block, so
     * {@code decoder.keys()} walks them.
     */
    void onMultiGet(long clientId, long correlationId, MultiGetRequestDecoder decoder);

    void onPing(long clientId, long correlationId, long timestampNs);

    void onStats(long clientId, long correlationId);

    /**
     * A message of this schema whose template the decoder does not know, with a valid header and a fixed block
     * of at least clientId and correlationId: the hook for messages another component adds. The default refuses it.
     *
     * @param offset where the message (its header) starts.
     */
    default void onOtherRequest(
        int templateId, int blockLength, int version, long correlationId, DirectBuffer buffer, int offset, int length)
    {
        onInvalidRequest(correlationId, templateId, ErrorCode.UNKNOWN_TEMPLATE, "unknown template id " + templateId);
    }

    /**
     * Input that is not a valid request; nothing else is called for it.
     *
     * @param correlationId the request's correlation id whenever the frame is long enough to hold it, else
     *                      {@link RequestDecoder#NO_CORRELATION_ID}.
     */
    void onInvalidRequest(long correlationId, int templateId, ErrorCode code, String reason);
}
