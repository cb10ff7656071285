package io.ferrite.codec;

import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.DeleteResponseEncoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseEncoder;
import io.ferrite.codec.sbe.GetResponseEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PongResponseEncoder;
import io.ferrite.codec.sbe.PutResponseEncoder;
import io.ferrite.codec.sbe.PutStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes the responses every Ferrite server sends (a single node and a replica group alike) into a caller's
 * buffer, header included, with reused flyweights. Each method returns the encoded length.
 * <p>
 * <b>Note:</b> not thread-safe; one instance per sending thread.
 */
public final class ResponseEncoders
{
    /** Length of the message header in front of every response. */
    public static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    /** Longest error text sent; longer messages are cut. */
    public static final int MAX_ERROR_TEXT = 1000;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GetResponseEncoder getEncoder = new GetResponseEncoder();
    private final PutResponseEncoder putEncoder = new PutResponseEncoder();
    private final DeleteResponseEncoder deleteEncoder = new DeleteResponseEncoder();
    private final PongResponseEncoder pongEncoder = new PongResponseEncoder();
    private final ErrorResponseEncoder errorEncoder = new ErrorResponseEncoder();

    /**
     * A get answer: found with {@code valueLength} bytes of {@code value}, or not found when {@code value} is null.
     */
    public int get(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        getEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .found(null == value ? BooleanType.FALSE : BooleanType.TRUE);
        if (null == value)
        {
            getEncoder.putValue(buffer, offset, 0);
        }
        else
        {
            getEncoder.putValue(value, valueOffset, valueLength);
        }
        return HEADER_LENGTH + getEncoder.encodedLength();
    }

    public int put(final MutableDirectBuffer buffer, final int offset, final long correlationId, final boolean stored)
    {
        putEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .status(stored ? PutStatus.STORED : PutStatus.NOT_STORED);
        return HEADER_LENGTH + putEncoder.encodedLength();
    }

    public int delete(
        final MutableDirectBuffer buffer, final int offset, final long correlationId, final boolean deleted)
    {
        deleteEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .deleted(deleted ? BooleanType.TRUE : BooleanType.FALSE);
        return HEADER_LENGTH + deleteEncoder.encodedLength();
    }

    public int pong(
        final MutableDirectBuffer buffer, final int offset, final long correlationId, final long timestampNs)
    {
        pongEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .timestampNs(timestampNs);
        return HEADER_LENGTH + pongEncoder.encodedLength();
    }

    /**
     * An error answer; {@code message} is cut to {@link #MAX_ERROR_TEXT} characters.
     */
    public int error(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final int templateId,
        final ErrorCode code,
        final String message)
    {
        errorEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .requestTemplateId(templateId & 0xFFFF)
            .code(code)
            .message(message.length() > MAX_ERROR_TEXT ? message.substring(0, MAX_ERROR_TEXT) : message);
        return HEADER_LENGTH + errorEncoder.encodedLength();
    }

    /**
     * The most bytes {@link #error} writes for a message of {@code messageLength} characters.
     */
    public static int errorLength(final int messageLength)
    {
        return HEADER_LENGTH + ErrorResponseEncoder.BLOCK_LENGTH + 2 + Math.min(messageLength, MAX_ERROR_TEXT);
    }
}
