package io.ferrite.transport;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.ferrite.codec.Credentials;
import io.ferrite.codec.RequestLimits;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.CompareAndSetRequestDecoder;
import io.ferrite.codec.sbe.ConnectRequestDecoder;
import io.ferrite.codec.sbe.DeleteRequestDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import io.ferrite.codec.sbe.MultiGetResponseEncoder;
import io.ferrite.codec.sbe.PutRequestDecoder;
import io.ferrite.engine.FerriteStore;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node's single thread: drives the Aeron client (conductor invoker mode, so no extra thread), polls requests,
 * runs them against the store, and sends each session's batch of responses once per duty cycle.
 * <p>
 * <b>Note:</b> everything here runs on the agent's thread; the store is touched by no other thread while it runs.
 */
final class NodeAgent implements Agent, RequestListener
{
    private static final int FRAGMENT_LIMIT = 64;
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int SWEEP_PER_HOUSEKEEPING = 256;

    private final HopRecorder hops;

    private final NodeContext ctx;
    private final Aeron aeron;
    private final AgentInvoker aeronInvoker;
    private final Subscription subscription;
    private final FragmentAssembler assembler;
    private final FerriteStore store;
    private final NodeCounters counters;
    private final ResponsePublisher publisher;
    private final NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private final Consumer<String> eventLog;
    private final Int2ObjectHashMap<ClientSession> sessionByImage = new Int2ObjectHashMap<>();
    private final ArrayList<ClientSession> sessions = new ArrayList<>();
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueView = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(64 * 1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MultiGetResponseEncoder multiGetEncoder = new MultiGetResponseEncoder();
    private final long nodeInstanceId;
    private final boolean readOnly;
    private final String roleName;
    private final CredentialsVerifier verifier;
    private AgentInvoker driverInvoker;
    private final long startMs = System.currentTimeMillis();
    private long nextHousekeepingNs;
    private int connectingSessions;

    NodeAgent(
        final NodeContext ctx,
        final Aeron aeron,
        final FerriteStore store,
        final NodeCounters counters,
        final long nodeInstanceId,
        final int streamId,
        final String roleName)
    {
        this(ctx, aeron, store, counters, nodeInstanceId, streamId, roleName, false);
    }

    /**
     * @param readOnly serve only reads, through {@link FerriteStore#peekView} (no recency, counter or expiry side
     *                 effects on the store), refuse writes, and never sweep: for a replica whose store belongs to a
     *                 replicated state machine.
     */
    NodeAgent(
        final NodeContext ctx,
        final Aeron aeron,
        final FerriteStore store,
        final NodeCounters counters,
        final long nodeInstanceId,
        final int streamId,
        final String roleName,
        final boolean readOnly)
    {
        this.readOnly = readOnly;
        this.roleName = roleName;
        this.ctx = ctx;
        this.aeron = aeron;
        this.aeronInvoker = aeron.conductorAgentInvoker();
        this.store = store;
        this.counters = counters;
        this.nodeInstanceId = nodeInstanceId;
        this.eventLog = ctx.eventLog();
        this.verifier = ctx.credentialsVerifier();
        this.publisher = new ResponsePublisher(ctx.maxMessageLength(), ctx.sendTimeoutNs(), nanoClock);
        final RequestLimits limits = new RequestLimits(ctx.maxKeyLength(), ctx.maxValueLength(), ctx.maxMultiGetKeys());
        this.assembler = new FragmentAssembler(new RequestAdapter(this, limits));
        this.hops = HopRecorder.forNode(roleName);
        this.subscription = aeron.addSubscription(ctx.channel(), streamId, null, this::onUnavailableImage);
    }

    /**
     * Run an embedded media driver on this agent's thread: invoked at the start of every duty cycle. Set before
     * the agent starts.
     */
    void driverInvoker(final AgentInvoker driverInvoker)
    {
        this.driverInvoker = driverInvoker;
    }

    public String roleName()
    {
        return roleName;
    }

    public int doWork()
    {
        int work = null == driverInvoker ? 0 : driverInvoker.invoke();
        work += null == aeronInvoker ? 0 : aeronInvoker.invoke();
        work += subscription.poll(assembler, FRAGMENT_LIMIT);
        if (connectingSessions > 0)
        {
            work += progressConnects();
        }
        work += flushAll();
        final long nowNs = nanoClock.nanoTime();
        if (nowNs - nextHousekeepingNs >= 0)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            if (!readOnly)
            {
                store.sweep(SWEEP_PER_HOUSEKEEPING);
            }
            counters.update(store.stats());
        }
        return work;
    }

    public void onClose()
    {
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            closeSession(sessions.get(i), "node closing");
        }
        CloseHelper.quietClose(subscription);
        if (null != aeronInvoker)
        {
            aeronInvoker.invoke();
        }
        hops.close();
    }

    public ClientSession session(final int imageSessionId)
    {
        return sessionByImage.get(imageSessionId);
    }

    public void onConnect(
        final int imageSessionId,
        final long clientId,
        final long correlationId,
        final int responseStreamId,
        final String channel,
        final byte[] credentials)
    {
        final ClientSession existing = sessionByImage.get(imageSessionId);
        if (null != existing && existing.refused)
        {
            return; // a connect resent before the refusal arrived: refused once, counted once
        }
        if (null != existing)
        {
            if (existing.responseChannel.equals(channel) && existing.responseStreamId == responseStreamId &&
                (null == verifier || Arrays.equals(credentials, existing.credentials)))
            {
                existing.clientId = clientId;
                existing.connectCorrelationId = correlationId;
                if (ClientSession.ACTIVE == existing.state)
                {
                    publisher.connected(existing, nodeInstanceId, ctx.maxKeyLength(), ctx.maxValueLength(),
                        ctx.maxMultiGetKeys());
                }
                return;
            }
            closeSession(existing, "client reconnected with another response channel");
        }
        if (sessions.size() >= ctx.maxSessions())
        {
            counters.droppedFrames.incrementRelease();
            eventLog.accept("refused a session for client " + Long.toHexString(clientId) + ": already " +
                sessions.size() + " sessions (ferrite.node.max.sessions)");
            return;
        }

        final long registrationId;
        try
        {
            final ChannelUri uri = ChannelUri.parse(channel);
            if (!CommonContext.UDP_MEDIA.equals(uri.media()) && !CommonContext.IPC_MEDIA.equals(uri.media()))
            {
                throw new IllegalArgumentException("media must be udp or ipc");
            }
            uri.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(ctx.termLength()));
            uri.put(CommonContext.SPARSE_PARAM_NAME, "true");
            registrationId = aeron.asyncAddExclusivePublication(uri.toString(), responseStreamId);
        }
        catch (final RuntimeException ex)
        {
            counters.droppedFrames.incrementRelease();
            eventLog.accept("refused a session for client " + Long.toHexString(clientId) + ": bad response channel '" +
                channel + "': " + ex.getMessage());
            return;
        }

        final ClientSession session = new ClientSession(
            imageSessionId, clientId, channel, responseStreamId, registrationId);
        session.connectCorrelationId = correlationId;
        session.connectDeadlineNs = nanoClock.nanoTime() + ctx.connectTimeoutNs();
        if (null == verifier)
        {
            session.role = Credentials.ADMIN;
        }
        else
        {
            final Credentials.Login login = Credentials.decode(credentials);
            session.user = null == login ? null : login.user();
            session.credentials = credentials;
            session.authentication = verifier.verify(credentials);
        }
        sessionByImage.put(imageSessionId, session);
        sessions.add(session);
        connectingSessions++;
        counters.sessions.incrementRelease();
    }

    public void onDisconnect(final ClientSession session, final long correlationId)
    {
        closeSession(session, "client disconnected");
    }

    public void onGet(
        final ClientSession session,
        final long correlationId,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength)
    {
        counters.requests.incrementRelease();
        if (readOnly ? store.peekView(buffer, keyOffset, keyLength, valueView) :
            store.getView(buffer, keyOffset, keyLength, valueView))
        {
            publisher.get(session, correlationId, valueView);
        }
        else
        {
            publisher.get(session, correlationId, null);
        }
    }

    public void onPut(
        final ClientSession session,
        final long correlationId,
        final long ttlMs,
        final int mode,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength,
        final int valueOffset,
        final int valueLength)
    {
        if (!admitWrite(session, correlationId, PutRequestDecoder.TEMPLATE_ID))
        {
            return;
        }
        hops.beginPut(buffer, valueOffset, valueLength);
        final int result = store.put(buffer, keyOffset, keyLength, buffer, valueOffset, valueLength, ttlMs, mode);
        answerWrite(session, correlationId, PutRequestDecoder.TEMPLATE_ID, result, keyLength, valueLength);
    }

    public void onCompareAndSet(
        final ClientSession session,
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
        if (!admitWrite(session, correlationId, CompareAndSetRequestDecoder.TEMPLATE_ID))
        {
            return;
        }
        hops.beginPut(buffer, valueOffset, valueLength);
        // one agent thread owns the store, so the comparison and the write are one step for every client
        final int result = store.compareAndSet(buffer, keyOffset, keyLength, buffer, expectedOffset, expectedLength,
            buffer, valueOffset, valueLength, ttlMs);
        answerWrite(session, correlationId, CompareAndSetRequestDecoder.TEMPLATE_ID, result, keyLength, valueLength);
    }

    private void answerWrite(
        final ClientSession session,
        final long correlationId,
        final int templateId,
        final int result,
        final int keyLength,
        final int valueLength)
    {
        if (FerriteStore.STORED == result || FerriteStore.NOT_STORED == result)
        {
            publisher.put(session, correlationId, FerriteStore.STORED == result);
            hops.end();
        }
        else if (FerriteStore.TOO_LARGE == result)
        {
            onInvalidRequest(session, correlationId, templateId, ErrorCode.VALUE_TOO_LARGE,
                "value of " + valueLength + " bytes with a " + keyLength + "-byte key is over the store's limit of " +
                store.maxValueLength(keyLength) + " bytes");
        }
        else
        {
            onInvalidRequest(session, correlationId, templateId, ErrorCode.INVALID_KEY,
                "the store refused a key of " + keyLength + " bytes");
        }
    }

    public void onDelete(
        final ClientSession session,
        final long correlationId,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength)
    {
        if (!admitWrite(session, correlationId, DeleteRequestDecoder.TEMPLATE_ID))
        {
            return;
        }
        publisher.delete(session, correlationId, store.delete(buffer, keyOffset, keyLength));
    }

    /**
     * Count the request; false (and the client answered) when this endpoint serves no writes or the session's role
     * may not write.
     */
    private boolean admitWrite(final ClientSession session, final long correlationId, final int templateId)
    {
        counters.requests.incrementRelease();
        if (readOnly)
        {
            refuseWrite(session, correlationId, templateId);
            return false;
        }
        return permits(session, Credentials.READ_WRITE, correlationId, templateId);
    }

    private void refuseWrite(final ClientSession session, final long correlationId, final int templateId)
    {
        onInvalidRequest(session, correlationId, templateId, ErrorCode.INVALID_ARGUMENT,
            "this endpoint serves possibly-stale reads of a replica; send writes to the group's leader");
    }

    public void onMultiGet(final ClientSession session, final long correlationId, final MultiGetRequestDecoder decoder)
    {
        counters.requests.incrementRelease();
        final int maxMessageLength = publisher.maxMessageLength();
        multiGetEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).correlationId(correlationId);
        final MultiGetRequestDecoder.KeysDecoder keys = decoder.keys();
        final MultiGetResponseEncoder.ValuesEncoder values = multiGetEncoder.valuesCount(keys.count());
        while (keys.hasNext())
        {
            keys.next();
            final int keyLength = keys.keyLength();
            keys.wrapKey(keyView);
            final boolean found = readOnly ? store.peekView(keyView, 0, keyLength, valueView) :
                store.getView(keyView, 0, keyLength, valueView);
            final int valueLength = found ? valueView.capacity() : 0;
            if (MessageHeaderEncoder.ENCODED_LENGTH + multiGetEncoder.encodedLength() + 5 + valueLength >
                maxMessageLength)
            {
                onInvalidRequest(session, correlationId, MultiGetRequestDecoder.TEMPLATE_ID,
                    ErrorCode.RESPONSE_TOO_LARGE, "multi-get values exceed one message of " + maxMessageLength +
                    " bytes; ask for fewer keys");
                return;
            }
            values.next().found(found ? BooleanType.TRUE : BooleanType.FALSE);
            if (found)
            {
                values.putValue(valueView, 0, valueLength);
            }
            else
            {
                values.putValue(scratch, 0, 0);
            }
        }
        publisher.append(session, scratch, MessageHeaderEncoder.ENCODED_LENGTH + multiGetEncoder.encodedLength());
    }

    public void onPing(final ClientSession session, final long correlationId, final long timestampNs)
    {
        counters.requests.incrementRelease();
        publisher.pong(session, correlationId, timestampNs);
    }

    public void onStats(final ClientSession session, final long correlationId)
    {
        counters.requests.incrementRelease();
        publisher.stats(session, correlationId, nodeInstanceId, System.currentTimeMillis() - startMs,
            store.capacityBytes(), store.stats(), counters);
    }

    public void onInvalidRequest(
        final ClientSession session,
        final long correlationId,
        final int templateId,
        final ErrorCode code,
        final String reason)
    {
        counters.errors.incrementRelease();
        publisher.error(session, correlationId, templateId, code, reason);
    }

    public void onDroppedFrame(final int imageSessionId, final int length)
    {
        counters.droppedFrames.incrementRelease();
    }

    private void onUnavailableImage(final Image image)
    {
        final ClientSession session = sessionByImage.get(image.sessionId());
        if (null != session)
        {
            closeSession(session, "client's request stream went away");
        }
    }

    private int progressConnects()
    {
        int work = 0;
        final long nowNs = nanoClock.nanoTime();
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final ClientSession session = sessions.get(i);
            if (ClientSession.CONNECTING != session.state)
            {
                continue;
            }
            if (null == session.publication)
            {
                try
                {
                    session.publication = aeron.getExclusivePublication(session.registrationId);
                }
                catch (final RegistrationException ex)
                {
                    closeSession(session, "cannot publish responses: " + ex.getMessage());
                    work++;
                    continue;
                }
            }
            if (null != session.authentication && session.authentication.isDone())
            {
                decideAuthentication(session);
            }
            if (session.refused)
            {
                if (null != session.publication && session.publication.isConnected())
                {
                    session.state = ClientSession.ACTIVE;
                    connectingSessions--;
                    work++;
                }
                else if (nowNs - session.connectDeadlineNs > 0)
                {
                    closeSession(session, "refused (" + session.closeReason + ")");
                    work++;
                }
            }
            else if (null != session.publication && session.publication.isConnected() &&
                null == session.authentication)
            {
                session.state = ClientSession.ACTIVE;
                connectingSessions--;
                publisher.connected(
                    session, nodeInstanceId, ctx.maxKeyLength(), ctx.maxValueLength(), ctx.maxMultiGetKeys());
                eventLog.accept("opened " + session);
                work++;
            }
            else if (nowNs - session.connectDeadlineNs > 0)
            {
                closeSession(session, "response channel did not connect within " +
                    TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs()) + " ms");
                work++;
            }
        }
        return work;
    }

    private void decideAuthentication(final ClientSession session)
    {
        final int outcome = session.authentication.getNow(Credentials.MALFORMED);
        session.authentication = null;
        if (outcome >= Credentials.READ_ONLY)
        {
            session.role = outcome;
            return;
        }
        session.refused = true;
        session.closeReason = Credentials.reason(outcome);
        counters.authFailures.incrementRelease();
        verifier.refused(roleName + " " + ctx.channel(), session.user, outcome);
        publisher.error(session, session.connectCorrelationId, ConnectRequestDecoder.TEMPLATE_ID,
            ErrorCode.AUTHENTICATION_FAILED, "authentication failed: " + session.closeReason);
    }

    /**
     * Whether the session may send a request that needs {@code role}; answers {@code PERMISSION_DENIED} if not.
     */
    private boolean permits(
        final ClientSession session, final int role, final long correlationId, final int templateId)
    {
        if (session.role >= role)
        {
            return true;
        }
        counters.permissionDenied.incrementRelease();
        verifier.refused(roleName + " " + ctx.channel(), session.user, session.role);
        onInvalidRequest(session, correlationId, templateId, ErrorCode.PERMISSION_DENIED, "user " + session.user +
            " has role " + Credentials.roleName(session.role) + "; this request needs " + Credentials.roleName(role));
        return false;
    }

    private int flushAll()
    {
        int work = 0;
        for (int i = sessions.size() - 1; i >= 0; i--)
        {
            final ClientSession session = sessions.get(i);
            if (ClientSession.CLOSED == session.state)
            {
                closeSession(session, session.closeReason);
                continue;
            }
            final int result = publisher.flush(session);
            if (ResponsePublisher.SESSION_FAILED == result)
            {
                closeSession(session, session.closeReason);
            }
            else if (session.refused && ClientSession.ACTIVE == session.state &&
                session.sentPosition == session.batchLength && nanoClock.nanoTime() - session.connectDeadlineNs > 0)
            {
                closeSession(session, "refused: " + session.closeReason);
            }
            else if (result > 0)
            {
                counters.responseMessages.getAndAddRelease(result);
                work += result;
            }
        }
        return work;
    }

    private void closeSession(final ClientSession session, final String reason)
    {
        if (ClientSession.CONNECTING == session.state)
        {
            connectingSessions--;
        }
        session.state = ClientSession.CLOSED;
        if (sessionByImage.get(session.imageSessionId) == session)
        {
            sessionByImage.remove(session.imageSessionId);
        }
        if (sessions.remove(session))
        {
            counters.sessions.decrementRelease();
            counters.closedSessions.incrementRelease();
            eventLog.accept("closed " + session + ": " + reason);
        }
        if (null != session.publication)
        {
            CloseHelper.quietClose(session.publication);
        }
        else
        {
            try
            {
                aeron.asyncRemovePublication(session.registrationId);
            }
            catch (final RuntimeException ignore)
            {
                // the registration failed already: nothing to remove
            }
        }
    }
}
