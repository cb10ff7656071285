package io.ferrite.replication;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.cluster.client.ClusterEvent;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.ferrite.codec.Credentials;
import io.ferrite.codec.sbe.CompareAndSetRequestDecoder;
import io.ferrite.codec.sbe.ConnectRequestDecoder;
import io.ferrite.codec.sbe.DeleteRequestDecoder;
import io.ferrite.codec.sbe.DisconnectRequestDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestDecoder;
import io.ferrite.codec.sbe.InvalidateRequestDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import io.ferrite.codec.sbe.PartitionMapRequestDecoder;
import io.ferrite.codec.sbe.PingRequestDecoder;
import io.ferrite.codec.sbe.PlanStatusRequestDecoder;
import io.ferrite.codec.sbe.PutRequestDecoder;
import io.ferrite.codec.sbe.StatsRequestDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;

/**
 * Per-session permissions of a replica group's commands, checked before a command from a client session is applied.
 * A session's role comes from its principal ({@link Credentials#roleOf}), which the group's authenticator set when
 * the session opened and which is part of the log, so every member decides the same. Reads (get, multi-get, ping,
 * stats, partition map, plan status) need read-only, writes (put, delete, invalidate, compare-and-set) read-write,
 * and everything else (migration steps, map changes, plans, and any template added later) admin. A refused command
 * changes nothing and is answered {@code PERMISSION_DENIED}, counted (an Aeron counter of
 * {@link #PERMISSION_DENIED_TYPE_ID}) and, on the leader, logged with the user, its role and the role needed.
 * Sessions of a group without authentication carry an empty principal and may do everything.
 * <p>
 * <b>Note:</b> not thread-safe; runs on the service thread.
 */
final class AccessControl implements AutoCloseable
{
    /** Aeron counter type of a member's refused commands; its label names the group. */
    static final int PERMISSION_DENIED_TYPE_ID = 7341;

    private static final int CORRELATION_ID_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH + 8;

    private final int group;
    private final ErrorHandler errorHandler;
    private Counter counter;
    private Cluster cluster;
    private long denied;

    AccessControl(final int group, final ErrorHandler errorHandler)
    {
        this.group = group;
        this.errorHandler = errorHandler;
    }

    void onStart(final Cluster cluster, final Aeron aeron)
    {
        this.cluster = cluster;
        counter = aeron.addCounter(PERMISSION_DENIED_TYPE_ID, "ferrite permission denied: group " + group);
    }

    /**
     * The role a command with {@code templateId} needs.
     */
    static int requiredRole(final int templateId)
    {
        switch (templateId)
        {
            case ConnectRequestDecoder.TEMPLATE_ID:
            case DisconnectRequestDecoder.TEMPLATE_ID:
            case GetRequestDecoder.TEMPLATE_ID:
            case MultiGetRequestDecoder.TEMPLATE_ID:
            case PingRequestDecoder.TEMPLATE_ID:
            case StatsRequestDecoder.TEMPLATE_ID:
            case PartitionMapRequestDecoder.TEMPLATE_ID:
            case PlanStatusRequestDecoder.TEMPLATE_ID:
                return Credentials.READ_ONLY;
            case PutRequestDecoder.TEMPLATE_ID:
            case DeleteRequestDecoder.TEMPLATE_ID:
            case InvalidateRequestDecoder.TEMPLATE_ID:
            case CompareAndSetRequestDecoder.TEMPLATE_ID:
                return Credentials.READ_WRITE;
            default:
                return Credentials.ADMIN;
        }
    }

    /**
     * Whether {@code session} may send this command; if not, answer it through {@code handler} and count it.
     * Frames too short to name a request, or of another schema, pass: the decoder answers them as malformed.
     */
    boolean permits(
        final ClientSession session,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ClusterCommandHandler handler)
    {
        if (length < CORRELATION_ID_OFFSET + 8 ||
            MessageHeaderDecoder.SCHEMA_ID != (buffer.getShort(offset + 4, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF))
        {
            return true;
        }
        final int templateId = buffer.getShort(offset + 2, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF;
        final int required = requiredRole(templateId);
        final byte[] principal = session.encodedPrincipal();
        final int role = Credentials.roleOf(principal);
        if (role >= required)
        {
            return true;
        }
        denied++;
        counter.setRelease(denied);
        final String reason = "user " + Credentials.userOf(principal) + " has role " + Credentials.roleName(role) +
            "; template " + templateId + " needs " + Credentials.roleName(required);
        handler.refuse(session, buffer.getLong(offset + CORRELATION_ID_OFFSET, MessageHeaderDecoder.BYTE_ORDER),
            templateId, ErrorCode.PERMISSION_DENIED, reason);
        if (Cluster.Role.LEADER == cluster.role())
        {
            errorHandler.onError(new ClusterEvent("group " + group + ": permission denied: " + reason));
        }
        return false;
    }

    long denied()
    {
        return denied;
    }

    public void close()
    {
        if (null != counter)
        {
            counter.close();
        }
    }
}
