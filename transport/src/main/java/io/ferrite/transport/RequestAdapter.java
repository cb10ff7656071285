package io.ferrite.transport;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.Credentials;
import io.ferrite.codec.RequestDecoder;
import io.ferrite.codec.RequestLimits;
import io.ferrite.codec.sbe.ConnectRequestDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import org.agrona.DirectBuffer;

/**
 * Decodes the node's request fragments with the shared {@link RequestDecoder} (every length checked against the
 * fragment and the node's {@link RequestLimits}) and hands valid requests of connected sessions to a
 * {@link RequestListener}. Input that is not a valid request becomes an error response when the sender has a
 * session, or a dropped-frame count when it has none; requests other than a connect from a peer without a session
 * are dropped too. It never throws.
 * <p>
 * <b>Note:</b> used only on the node's thread.
 */
final class RequestAdapter implements FragmentHandler, io.ferrite.codec.RequestListener
{
    private final RequestListener listener;
    private final RequestDecoder decoder;
    private ClientSession session;
    private int imageSessionId;
    private int length;

    RequestAdapter(final RequestListener listener, final RequestLimits limits)
    {
        this.listener = listener;
        this.decoder = new RequestDecoder(limits, this);
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        imageSessionId = header.sessionId();
        session = listener.session(imageSessionId);
        this.length = length;
        decoder.decode(buffer, offset, length);
        session = null;
    }

    public void onConnect(
        final long clientId,
        final long correlationId,
        final int responseStreamId,
        final String responseChannel,
        final byte[] credentials)
    {
        listener.onConnect(imageSessionId, clientId, correlationId, responseStreamId, responseChannel, credentials);
    }

    public void onDisconnect(final long clientId, final long correlationId)
    {
        if (isActive())
        {
            listener.onDisconnect(session, correlationId);
        }
    }

    public void onGet(
        final long clientId, final long correlationId, final DirectBuffer buffer, final int keyOffset,
        final int keyLength)
    {
        if (isActive())
        {
            listener.onGet(session, correlationId, buffer, keyOffset, keyLength);
        }
    }

    public void onPut(
        final long clientId,
        final long correlationId,
        final long ttlMs,
        final int mode,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength,
        final int valueOffset,
        final int valueLength)
    {
        if (isActive())
        {
            listener.onPut(session, correlationId, ttlMs, mode, buffer, keyOffset, keyLength, valueOffset,
                valueLength);
        }
    }

    public void onDelete(
        final long clientId, final long correlationId, final int templateId, final DirectBuffer buffer,
        final int keyOffset, final int keyLength)
    {
        if (isActive())
        {
            listener.onDelete(session, correlationId, buffer, keyOffset, keyLength);
        }
    }

    public void onCompareAndSet(
        final long clientId,
        final long correlationId,
        final long ttlMs,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength,
        final int expectedOffset,
        final int expectedLength,
        final int valueOffset,
        final int valueLength)
    {
        if (isActive())
        {
            listener.onCompareAndSet(session, correlationId, ttlMs, buffer, keyOffset, keyLength, expectedOffset,
                expectedLength, valueOffset, valueLength);
        }
    }

    public void onMultiGet(final long clientId, final long correlationId, final MultiGetRequestDecoder decoder)
    {
        if (isActive())
        {
            listener.onMultiGet(session, correlationId, decoder);
        }
    }

    public void onPing(final long clientId, final long correlationId, final long timestampNs)
    {
        if (isActive())
        {
            listener.onPing(session, correlationId, timestampNs);
        }
    }

    public void onStats(final long clientId, final long correlationId)
    {
        if (isActive())
        {
            listener.onStats(session, correlationId);
        }
    }

    public void onInvalidRequest(
        final long correlationId, final int templateId, final ErrorCode code, final String reason)
    {
        if (null == session || ClientSession.CLOSED == session.state || Credentials.NONE == session.role)
        {
            listener.onDroppedFrame(imageSessionId, length);
        }
        else
        {
            listener.onInvalidRequest(session, correlationId, templateId, code, reason);
        }
    }

    /**
     * A request other than {@link ConnectRequestDecoder connect} needs an open session; otherwise it is dropped.
     */
    private boolean isActive()
    {
        if (null == session || ClientSession.CLOSED == session.state)
        {
            listener.onDroppedFrame(imageSessionId, length);
            return false;
        }
        return true;
    }
}
