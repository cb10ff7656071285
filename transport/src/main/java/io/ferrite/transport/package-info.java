/**
 * Ferrite over the network, server side: the node's Aeron endpoint ({@link io.ferrite.transport.FerriteNode},
 * {@link io.ferrite.transport.NodeContext}). The Java client is its own artifact, {@code ferrite-client}
 * ({@code io.ferrite.client.FerriteClient}); this module uses its embedded driver and idle strategies.
 * <p>
 * <b>Node.</b> One thread, {@code NodeAgent}, drives the Aeron client (conductor-invoker mode), polls requests through
 * {@code RequestAdapter} (the shared {@link io.ferrite.codec.RequestDecoder}: every length checked against the frame
 * and the node's limits before it is read; bad input
 * becomes an error response), applies them to the store and encodes responses with {@code ResponsePublisher} into
 * each session's batch, which leaves as one message per duty cycle. A slow client's responses wait in its batch up
 * to a bound, then its session is closed with a logged reason; the thread never blocks on a client.
 */
package io.ferrite.transport;
