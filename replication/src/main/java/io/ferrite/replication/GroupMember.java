package io.ferrite.replication;

import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.NanosecondClusterClock;
import io.ferrite.transport.HopRecorder;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.ferrite.codec.Credentials;
import io.ferrite.transport.CredentialsVerifier;
import org.agrona.CloseHelper;
import org.agrona.concurrent.NoOpLock;

import java.io.File;

/**
 * One member of one replica group inside a node process: a consensus module and a service container running a
 * {@link FerriteClusteredService}, sharing the node's media driver and archive.
 */
final class GroupMember implements AutoCloseable
{
    private static final int STREAM_ID_BASE = 1000;
    private static final int STREAM_IDS_PER_GROUP = 20;

    private final int group;
    private final File clusterDir;
    private final FerriteClusteredService service;
    private final ConsensusModule consensusModule;
    private final ClusteredServiceContainer container;

    GroupMember(final ReplicaNodeContext ctx, final int group, final String archiveLocalControlChannel,
        final int archiveLocalControlStreamId)
    {
        this.group = group;
        final GroupTopology topology = ctx.topology();
        final int member = ctx.memberId();
        clusterDir = new File(ctx.baseDir(), "group-" + group);
        final int streamBase = streamBase(group);
        final String termLength = "term-length=" + ctx.termLength();

        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .controlRequestChannel(archiveLocalControlChannel)
            .controlRequestStreamId(archiveLocalControlStreamId)
            .controlResponseChannel(archiveLocalControlChannel)
            .controlResponseStreamId(streamBase + 9)
            .credentialsSupplier(CredentialsVerifier.credentialsSupplier(ctx.credentials()));

        final ConsensusModule.Context moduleCtx = new ConsensusModule.Context()
            .clusterId(group)
            .clusterMemberId(member)
            .clusterMembers(topology.clusterMembers(group))
            .clusterDir(clusterDir)
            .deleteDirOnStart(ctx.deleteOnStart())
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .archiveContext(archiveClient.clone())
            .ingressChannel("aeron:udp?" + termLength)
            .logChannel("aeron:udp?" + termLength)
            .replicationChannel("aeron:udp?endpoint=" + topology.host(member) + ":0")
            .logStreamId(streamBase)
            .replayStreamId(streamBase + 1)
            .serviceStreamId(streamBase + 2)
            .consensusModuleStreamId(streamBase + 3)
            .snapshotChannel("aeron:ipc?alias=snapshot|" + termLength)
            .snapshotStreamId(snapshotStreamId(group))
            .consensusStreamId(consensusStreamId(group))
            .leaderHeartbeatTimeoutNs(ctx.leaderHeartbeatTimeoutNs())
            .leaderHeartbeatIntervalNs(ctx.leaderHeartbeatIntervalNs())
            .electionTimeoutNs(ctx.electionTimeoutNs())
            .maxConcurrentSessions(ctx.maxSessions())
            .startupCanvassTimeoutNs(Math.max(2 * ctx.leaderHeartbeatTimeoutNs(), 1_000_000_000L))
            .idleStrategySupplier(ctx.idleStrategySupplier())
            .errorHandler(ctx.errorHandler());
        final CredentialsVerifier verifier = ctx.credentialsVerifier();
        if (null != verifier)
        {
            // clients need at least read-only; backup queries, standby and admin requests (snapshot) need admin
            moduleCtx
                .authenticatorSupplier(verifier.authenticatorSupplier(
                    "group " + group + " ingress (member " + member + ")", Credentials.READ_ONLY, moduleCtx::aeron))
                .authorisationServiceSupplier(() ->
                    (protocolId, actionId, type, principal) -> Credentials.ADMIN == Credentials.roleOf(principal));
        }

        if (HopRecorder.enabled())
        {
            // the diagnostic hop breakdown reads the log entries' timestamps as epoch nanoseconds
            moduleCtx.clusterClock(new NanosecondClusterClock());
        }
        service = new FerriteClusteredService(group, ctx);
        service.onRefused(() ->
        {
            final Thread closer = new Thread(this::close, "ferrite-refused-group-" + group);
            closer.setDaemon(true);
            closer.start();
        });
        final ClusteredServiceContainer.Context containerCtx = new ClusteredServiceContainer.Context()
            .clusterId(group)
            .clusteredService(service)
            .clusterDir(clusterDir)
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .archiveContext(archiveClient.clone().controlResponseStreamId(streamBase + 10))
            .serviceStreamId(moduleCtx.serviceStreamId())
            .consensusModuleStreamId(moduleCtx.consensusModuleStreamId())
            .replayStreamId(moduleCtx.replayStreamId())
            .snapshotChannel(moduleCtx.snapshotChannel())
            .snapshotStreamId(moduleCtx.snapshotStreamId())
            .idleStrategySupplier(ctx.idleStrategySupplier())
            .errorHandler(ctx.errorHandler());

        ConsensusModule module = null;
        try
        {
            module = ConsensusModule.launch(moduleCtx);
            container = ClusteredServiceContainer.launch(containerCtx);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(module);
            throw ex;
        }
        consensusModule = module;
    }

    /**
     * First of the stream ids reserved for {@code group}: log, replay, service, consensus module, snapshot, consensus.
     */
    static int streamBase(final int group)
    {
        return STREAM_ID_BASE + group * STREAM_IDS_PER_GROUP;
    }

    static int snapshotStreamId(final int group)
    {
        return streamBase(group) + 4;
    }

    static int consensusStreamId(final int group)
    {
        return streamBase(group) + 5;
    }

    int group()
    {
        return group;
    }

    File clusterDir()
    {
        return clusterDir;
    }

    FerriteClusteredService service()
    {
        return service;
    }

    /**
     * Ask the cluster for a snapshot now; only the leader's request takes effect.
     *
     * @return true if the toggle was accepted (no other control action pending).
     */
    boolean requestSnapshot()
    {
        return ClusterControl.ToggleState.SNAPSHOT.toggle(consensusModule.context().controlToggleCounter());
    }

    public void close()
    {
        CloseHelper.closeAll(container, consensusModule);
    }
}
