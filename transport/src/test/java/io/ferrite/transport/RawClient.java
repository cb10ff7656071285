package io.ferrite.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.sbe.ConnectRequestEncoder;
import io.ferrite.codec.sbe.ConnectResponseDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.ErrorResponseDecoder;
import io.ferrite.codec.sbe.GetResponseDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetResponseDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-driven protocol peer for tests: sends any bytes to a node and records the responses it gets back.
 */
final class RawClient implements AutoCloseable
{
    record Error(long correlationId, int templateId, ErrorCode code, String message)
    {
    }

    final List<Error> errors = new ArrayList<>();
    final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(256 * 1024));
    int connects;
    int otherResponses;
    private final Aeron aeron;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final String responseChannel;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ErrorResponseDecoder errorDecoder = new ErrorResponseDecoder();
    private final GetResponseDecoder getDecoder = new GetResponseDecoder();
    private final MultiGetResponseDecoder multiGetDecoder = new MultiGetResponseDecoder();

    RawClient(final FerriteNode node)
    {
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
        subscription = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 1002);
        publication = aeron.addExclusivePublication(node.context().channel(), node.context().streamId());
        final String[] resolved = new String[1];
        TestNodes.awaitTrue("resolved response channel", 5_000,
            () -> null != (resolved[0] = subscription.tryResolveChannelEndpointPort()));
        responseChannel = resolved[0];
        TestNodes.awaitTrue("publication connected", 5_000, publication::isConnected);
    }

    void connect()
    {
        final int before = connects;
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new ConnectRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clientId(99).correlationId(1).responseStreamId(1002).responseChannel(responseChannel).encodedLength();
        send(length);
        TestNodes.awaitTrue("connect response", 5_000, () ->
        {
            poll();
            return connects > before;
        });
    }

    void send(final int length)
    {
        send(buffer, 0, length);
    }

    void send(final DirectBuffer src, final int offset, final int length)
    {
        TestNodes.awaitTrue("offer accepted", 5_000, () -> publication.offer(src, offset, length) > 0);
    }

    int poll()
    {
        return subscription.poll(assembler, 100);
    }

    private void onFragment(final DirectBuffer src, final int offset, final int length, final Header header)
    {
        int position = offset;
        final int end = offset + length;
        while (position < end)
        {
            headerDecoder.wrap(src, position);
            final int blockOffset = position + MessageHeaderDecoder.ENCODED_LENGTH;
            final int blockLength = headerDecoder.blockLength();
            final int version = headerDecoder.version();
            switch (headerDecoder.templateId())
            {
                case ConnectResponseDecoder.TEMPLATE_ID:
                    connects++;
                    position = blockOffset + blockLength;
                    break;
                case ErrorResponseDecoder.TEMPLATE_ID:
                    errorDecoder.wrap(src, blockOffset, blockLength, version);
                    errors.add(new Error(errorDecoder.correlationId(), errorDecoder.requestTemplateId(),
                        errorDecoder.code(), errorDecoder.message()));
                    position = errorDecoder.limit();
                    break;
                case GetResponseDecoder.TEMPLATE_ID:
                    otherResponses++;
                    position = getDecoder.wrap(src, blockOffset, blockLength, version).sbeSkip().limit();
                    break;
                case MultiGetResponseDecoder.TEMPLATE_ID:
                    otherResponses++;
                    position = multiGetDecoder.wrap(src, blockOffset, blockLength, version).sbeSkip().limit();
                    break;
                default:
                    otherResponses++;
                    position = blockOffset + blockLength;
                    break;
            }
        }
    }

    /**
     * Poll until an error response arrives, and return it.
     */
    Error awaitError()
    {
        final int before = errors.size();
        TestNodes.awaitTrue("error response", 5_000, () ->
        {
            poll();
            return errors.size() > before;
        });
        return errors.get(before);
    }

    public void close()
    {
        CloseHelper.closeAll(publication, subscription, aeron);
    }
}
