package io.ferrite.client;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.ConnectResponseDecoder;
import io.ferrite.codec.sbe.DeleteResponseDecoder;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.GetResponseDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MultiGetResponseDecoder;
import io.ferrite.codec.sbe.PartitionMapResponseDecoder;
import io.ferrite.codec.sbe.PartitionRedirectResponseDecoder;
import io.ferrite.codec.sbe.PongResponseDecoder;
import io.ferrite.codec.sbe.PutResponseDecoder;
import io.ferrite.codec.sbe.PutStatus;
import io.ferrite.codec.sbe.StatsResponseDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;

/**
 * Walks a response fragment (a node's, which may hold several responses back to back, or one egress message of
 * a group) and hands each response to a {@link ResponseListener}: the client's one response decoder. A fragment
 * that is not Ferrite's protocol is reported to the error handler and skipped.
 * <p>
 * <b>Note:</b> not thread-safe; the client polls under its lock.
 */
final class ResponseAdapter implements FragmentHandler
{
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectResponseDecoder connectDecoder = new ConnectResponseDecoder();
    private final GetResponseDecoder getDecoder = new GetResponseDecoder();
    private final PutResponseDecoder putDecoder = new PutResponseDecoder();
    private final DeleteResponseDecoder deleteDecoder = new DeleteResponseDecoder();
    private final MultiGetResponseDecoder multiGetDecoder = new MultiGetResponseDecoder();
    private final PongResponseDecoder pongDecoder = new PongResponseDecoder();
    private final StatsResponseDecoder statsDecoder = new StatsResponseDecoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final PartitionRedirectResponseDecoder redirectDecoder = new PartitionRedirectResponseDecoder();
    private final PartitionMapResponseDecoder mapDecoder = new PartitionMapResponseDecoder();
    private final ResponseListener listener;
    private final ErrorHandler errorHandler;

    ResponseAdapter(final ResponseListener listener, final ErrorHandler errorHandler)
    {
        this.listener = listener;
        this.errorHandler = errorHandler;
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int end = offset + length;
        int position = offset;
        while (position + MessageHeaderDecoder.ENCODED_LENGTH <= end)
        {
            headerDecoder.wrap(buffer, position);
            final int templateId = headerDecoder.templateId();
            final int blockLength = headerDecoder.blockLength();
            final int version = headerDecoder.version();
            final int blockOffset = position + MessageHeaderDecoder.ENCODED_LENGTH;
            if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId() || blockOffset + blockLength > end)
            {
                errorHandler.onError(new FerriteException("skipped a response fragment that is not Ferrite's " +
                    "protocol (schema " + headerDecoder.schemaId() + ", template " + templateId + ")"));
                return;
            }

            switch (templateId)
            {
                case GetResponseDecoder.TEMPLATE_ID:
                    getDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onGet(getDecoder);
                    position = getDecoder.sbeSkip().limit();
                    break;
                case PutResponseDecoder.TEMPLATE_ID:
                    putDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onPut(putDecoder.correlationId(), PutStatus.STORED == putDecoder.status());
                    position = blockOffset + blockLength;
                    break;
                case DeleteResponseDecoder.TEMPLATE_ID:
                    deleteDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onDelete(deleteDecoder.correlationId(), BooleanType.TRUE == deleteDecoder.deleted());
                    position = blockOffset + blockLength;
                    break;
                case MultiGetResponseDecoder.TEMPLATE_ID:
                    multiGetDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onMultiGet(multiGetDecoder);
                    position = multiGetDecoder.sbeSkip().limit();
                    break;
                case PongResponseDecoder.TEMPLATE_ID:
                    pongDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onPong(pongDecoder.correlationId(), pongDecoder.timestampNs());
                    position = blockOffset + blockLength;
                    break;
                case StatsResponseDecoder.TEMPLATE_ID:
                    statsDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onStats(statsDecoder);
                    position = blockOffset + blockLength;
                    break;
                case ErrorResponseDecoder.TEMPLATE_ID:
                    errorDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onError(errorDecoder);
                    position = errorDecoder.sbeSkip().limit();
                    break;
                case PartitionRedirectResponseDecoder.TEMPLATE_ID:
                    redirectDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onRedirect(redirectDecoder);
                    position = blockOffset + blockLength;
                    break;
                case PartitionMapResponseDecoder.TEMPLATE_ID:
                    mapDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onPartitionMap(mapDecoder);
                    position = mapDecoder.sbeSkip().limit();
                    break;
                case ConnectResponseDecoder.TEMPLATE_ID:
                    connectDecoder.wrap(buffer, blockOffset, blockLength, version);
                    listener.onConnected(connectDecoder);
                    position = blockOffset + blockLength;
                    break;
                default:
                    errorHandler.onError(new FerriteException("skipped unknown response template " + templateId));
                    return;
            }
        }
    }
}
