package io.ferrite.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.service.ClientSession;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.engine.FerriteStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.LongSupplier;

/**
 * The partitioning part of a group's state machine, in one place so the service only forwards to it: the
 * partition table, the plan (group 0), the guard in front of keyed requests and the migration commands.
 * <b>Note:</b> not thread-safe; service thread, except {@link #redirects()} which is a plain read for tools.
 */
final class PartitionService
{
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final PartitionTable table;
    private final MovePlan plan = new MovePlan();
    private final PartitionGuard guard;
    private final MigrationCommandHandler handler;
    private final PartitionStateSnapshot snapshot = new PartitionStateSnapshot();

    PartitionService(
        final int group, final int partitionCount, final int groupCount, final int maxResponseLength,
        final RequestDeduplicator deduplicator, final LongSupplier clusterTimeMs)
    {
        table = partitionCount > 0 ?
            new PartitionTable(group, partitionCount, groupCount) : PartitionTable.standalone(group);
        guard = new PartitionGuard(table, deduplicator, clusterTimeMs);
        handler = new MigrationCommandHandler(table, plan, deduplicator, maxResponseLength);
    }

    void onStart(final FerriteStore store, final IdleStrategy idleStrategy)
    {
        final SessionResponder responder = new SessionResponder(idleStrategy);
        guard.store(store, responder);
        handler.store(store, responder);
    }

    /**
     * @return true if the message was handled here (a migration command, or a redirect of a partition this group
     * does not serve); false if the command handler should apply it.
     */
    boolean onMessage(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length >= MessageHeaderDecoder.ENCODED_LENGTH)
        {
            header.wrap(buffer, offset);
            if (MigrationCommandHandler.handles(header.templateId()) &&
                header.schemaId() == MessageHeaderDecoder.SCHEMA_ID)
            {
                handler.onMessage(session, buffer, offset, length);
                return true;
            }
        }
        return !guard.admit(session, buffer, offset, length);
    }

    void takeSnapshot(final ExclusivePublication publication, final IdleStrategy idleStrategy)
    {
        if (table.isPartitioned())
        {
            handler.finishScans();
        }
        snapshot.take(publication, table, plan, idleStrategy);
    }

    void loadSnapshot(final Image image, final IdleStrategy idleStrategy)
    {
        if (table.isPartitioned())
        {
            PartitionStateSnapshot.load(image, table, plan, idleStrategy);
        }
    }

    long redirects()
    {
        return guard.redirects();
    }

    /**
     * What the datastore asks before it applies a write whose request was admitted earlier.
     */
    PartitionGuard guard()
    {
        return guard;
    }

    /**
     * The newest partition-map epoch this group knows (1 if it is not partitioned).
     */
    long mapEpoch()
    {
        return table.mapEpoch();
    }

    PartitionTable table()
    {
        return table;
    }
}
