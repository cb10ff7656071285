/**
 * Ferrite over the network: the node's Aeron endpoint ({@link io.ferrite.transport.FerriteNode},
 * {@link io.ferrite.transport.NodeContext}) and the Java client ({@link io.ferrite.transport.FerriteClient},
 * {@link io.ferrite.transport.ClientContext}).
 * <p>
 * <b>Node.</b> One thread, {@code NodeAgent}, drives the Aeron client (conductor-invoker mode), polls requests through
 * {@code RequestAdapter} (the shared {@link io.ferrite.codec.RequestDecoder}: every length checked against the frame
 * and the node's limits before it is read; bad input
 * becomes an error response), applies them to the store and encodes responses with {@code ResponsePublisher} into
 * each session's batch, which leaves as one message per duty cycle. A slow client's responses wait in its batch up
 * to a bound, then its session is closed with a logged reason; the thread never blocks on a client.
 * <p>
 * <b>Client.</b> {@code ClientConductor} owns the session (connect, heartbeat, reconnect) and matches responses to
 * {@code PendingRequest}s by correlation id. Requests are encoded by {@code RequestPublisher} straight into the
 * publication's term ({@code tryClaim}); callers wait by polling responses themselves, so a blocking call rarely
 * needs a thread hand-off.
 */
package io.ferrite.transport;
