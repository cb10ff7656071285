package io.ferrite.transport;

import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import org.agrona.DirectBuffer;

/**
 * Receives requests decoded and validated by {@link RequestAdapter} (with the shared
 * {@link io.ferrite.codec.RequestDecoder}): lengths are in bounds and within the node's
 * limits, keys are not empty.
 */
interface RequestListener
{
    ClientSession session(int imageSessionId);

    void onConnect(
        int imageSessionId, long clientId, long correlationId, int responseStreamId, String channel,
        byte[] credentials);

    void onDisconnect(ClientSession session, long correlationId);

    void onGet(ClientSession session, long correlationId, DirectBuffer buffer, int keyOffset, int keyLength);

    void onPut(
        ClientSession session,
        long correlationId,
        long ttlMs,
        int mode,
        DirectBuffer buffer,
        int keyOffset,
        int keyLength,
        int valueOffset,
        int valueLength);

    void onDelete(ClientSession session, long correlationId, DirectBuffer buffer, int keyOffset, int keyLength);

    /**
     * Replace the key's value with the value only if it currently equals the expected bytes.
     */
    void onCompareAndSet(
        ClientSession session,
        long correlationId,
        long ttlMs,
        DirectBuffer buffer,
        int keyOffset,
        int keyLength,
        int expectedOffset,
        int expectedLength,
        int valueOffset,
        int valueLength);

    /**
     * A multi-get whose keys were all checked; {@code decoder} is positioned at the start of the keys group.
     */
    void onMultiGet(ClientSession session, long correlationId, MultiGetRequestDecoder decoder);

    void onPing(ClientSession session, long correlationId, long timestampNs);

    void onStats(ClientSession session, long correlationId);

    void onInvalidRequest(ClientSession session, long correlationId, int templateId, ErrorCode code, String reason);

    void onDroppedFrame(int imageSessionId, int length);
}
