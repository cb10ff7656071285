package io.ferrite.client;

/**
 * One transport the client sends requests over: a node's session ({@link NodeSession}) or a replica group's
 * Aeron Cluster session ({@link GroupSession}). A session knows how to connect, keep itself alive and read its
 * responses (handing them to the conductor's one {@link ResponseAdapter}); the conductor keeps every request's
 * bookkeeping, whatever the session.
 * <p>
 * <b>Note:</b> used under the conductor's lock only.
 */
abstract class Session implements AutoCloseable
{
    final int index;
    final RequestPublisher publisher;
    private FerriteRequestException refusal;

    Session(final int index, final long clientId)
    {
        this.index = index;
        this.publisher = new RequestPublisher(clientId);
    }

    /**
     * True when a request offered now can reach the other side.
     */
    abstract boolean isUp();

    /**
     * Read responses and keep the session: connect, reconnect, heartbeat.
     *
     * @return work done.
     */
    abstract int doWork(long nowNs);

    /**
     * A request sent on this session got no answer in time, or an offer found it not connected.
     */
    abstract void suspect();

    /**
     * What to name in an error: the endpoint and what the client knows of its state.
     */
    abstract String describe();

    /**
     * The other side refused this client's credentials: connecting again will not help; null otherwise.
     */
    FerriteRequestException refusal()
    {
        return refusal;
    }

    void refused(final FerriteRequestException refusal)
    {
        this.refusal = refusal;
    }

    public abstract void close();
}
