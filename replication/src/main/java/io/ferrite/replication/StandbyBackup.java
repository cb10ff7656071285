package io.ferrite.replication;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.ArchivingMediaDriver;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterBackup;
import io.aeron.cluster.ClusterBackupEventsListener;
import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.RecordingLog;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.cluster.client.ClusterEvent;
import io.ferrite.codec.Credentials;
import io.ferrite.transport.CredentialsVerifier;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NoOpLock;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A disaster-recovery standby for one replica group: Aeron's {@link ClusterBackup} copying the group's snapshots
 * and following its live log asynchronously into a local archive and recording log. It takes no part in Raft
 * (never votes, never counts for a majority), so it may trail the group; its directory has what is needed to seed
 * replacement members should the whole group be lost.
 * <p>
 * Ports on {@code host}: consensus {@code portBase + 900 + 10 * group}, archive control one above it, catch-up
 * (where the live log is replayed to) two above it.
 */
public final class StandbyBackup implements AutoCloseable
{
    private final ArchivingMediaDriver driver;
    private final ClusterBackup backup;
    private final CredentialsVerifier ownedVerifier;

    private StandbyBackup(
        final GroupTopology topology,
        final int group,
        final String host,
        final File baseDir,
        final long backupIntervalNs,
        final ErrorHandler errorHandler,
        final CredentialsVerifier verifier,
        final boolean ownsVerifier,
        final byte[] credentials)
    {
        this.ownedVerifier = ownsVerifier ? verifier : null;
        final String aeronDir = ReplicaNodeContext.defaultAeronDirectoryName(topology.portBase(), 100 + group);
        final int port = topology.portBase() + 900 + 10 * group;
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 20, 1000, ReplicationConfiguration.maxParkNs());
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle)
            .termBufferSparseFile(true)
            .errorHandler(errorHandler);
        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(baseDir, "archive"))
            .archiveId(topology.portBase() * 100L + 90 + group)
            .controlChannel("aeron:udp?endpoint=" + host + ":" + (port + 1))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(() -> new BackoffIdleStrategy(10, 20, 1000, ReplicationConfiguration.maxParkNs()))
            .errorHandler(errorHandler);
        // the standby presents its login to the group (backup queries need admin) and to the members' archives, and
        // protects its own archive like a member's
        ReplicaNode.secureArchive(verifier, credentials, archiveCtx, "standby of group " + group + " archive");
        try
        {
            driver = ArchivingMediaDriver.launch(driverCtx, archiveCtx);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(this.ownedVerifier);
            throw ex;
        }

        final StringBuilder consensusEndpoints = new StringBuilder();
        for (int m = 0; m < topology.memberCount(); m++)
        {
            consensusEndpoints.append(m == 0 ? "" : ",")
                .append(topology.endpoint(group, m, GroupTopology.CONSENSUS_PORT));
        }
        final int streamBase = GroupMember.streamBase(group);
        try
        {
            backup = ClusterBackup.launch(new ClusterBackup.Context()
                .aeronDirectoryName(aeronDir)
                .clusterId(group)
                .clusterDir(new File(baseDir, "cluster"))
                .deleteDirOnStart(false)
                .archiveContext(new AeronArchive.Context()
                    .lock(NoOpLock.INSTANCE)
                    .aeronDirectoryName(aeronDir)
                    .controlRequestChannel(archiveCtx.localControlChannel())
                    .controlRequestStreamId(archiveCtx.localControlStreamId())
                    .controlResponseChannel(archiveCtx.localControlChannel())
                    .credentialsSupplier(CredentialsVerifier.credentialsSupplier(credentials)))
                .clusterArchiveContext(new AeronArchive.Context()
                    .controlRequestChannel("aeron:udp")
                    .controlResponseChannel("aeron:udp?endpoint=" + host + ":0")
                    .credentialsSupplier(CredentialsVerifier.credentialsSupplier(credentials)))
                .credentialsSupplier(CredentialsVerifier.credentialsSupplier(credentials))
                .clusterConsensusEndpoints(consensusEndpoints.toString())
                .consensusChannel("aeron:udp?endpoint=" + host + ":" + port)
                .consensusStreamId(GroupMember.consensusStreamId(group))
                .logStreamId(streamBase)
                .serviceSnapshotStreamId(GroupMember.snapshotStreamId(group))
                .consensusModuleSnapshotStreamId(GroupMember.snapshotStreamId(group))
                .catchupEndpoint(host + ":" + (port + 2))
                .clusterBackupIntervalNs(backupIntervalNs)
                .sourceType(ClusterBackup.SourceType.ANY)
                .idleStrategySupplier(() -> new BackoffIdleStrategy(10, 20, 1000,
                    ReplicationConfiguration.maxParkNs()))
                .eventsListener(new EventsListener(errorHandler))
                .errorHandler(errorHandler));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(driver, this.ownedVerifier);
            throw ex;
        }
    }

    /**
     * Start a standby of {@code group} listening on {@code host}, keeping its files under {@code baseDir}.
     *
     * @param backupIntervalNs how often it asks the group for newer snapshots.
     */
    public static StandbyBackup launch(
        final GroupTopology topology,
        final int group,
        final String host,
        final File baseDir,
        final long backupIntervalNs,
        final ErrorHandler errorHandler)
    {
        final CredentialsVerifier verifier = CredentialsVerifier.fromConfiguration(
            (message) -> errorHandler.onError(new ClusterEvent("standby of group " + group + ": " + message)));
        return new StandbyBackup(
            topology, group, host, baseDir, backupIntervalNs, errorHandler, verifier, true, Credentials.login());
    }

    /**
     * A standby whose own archive authenticates with {@code verifier} (null: off; the caller keeps ownership) and
     * which presents {@code credentials} (an admin login in {@link Credentials}' wire form, null for none) to the
     * group and its members' archives.
     */
    public static StandbyBackup launch(
        final GroupTopology topology,
        final int group,
        final String host,
        final File baseDir,
        final long backupIntervalNs,
        final ErrorHandler errorHandler,
        final CredentialsVerifier verifier,
        final byte[] credentials)
    {
        return new StandbyBackup(
            topology, group, host, baseDir, backupIntervalNs, errorHandler, verifier, false, credentials);
    }

    /**
     * With a one-minute snapshot query interval.
     */
    public static StandbyBackup launch(
        final GroupTopology topology, final int group, final String host, final File baseDir)
    {
        return launch(topology, group, host, baseDir, TimeUnit.MINUTES.toNanos(1), Throwable::printStackTrace);
    }

    /**
     * The log position the standby has copied up to, or -1 before it follows the live log.
     */
    public long liveLogPosition()
    {
        return backup.context().liveLogPositionCounter().get();
    }

    /**
     * The backup's state name (BACKUP_QUERY, SNAPSHOT_RETRIEVE, LIVE_LOG_REPLAY, ...).
     */
    public String state()
    {
        return ClusterBackup.State.get(backup.context().stateCounter()).name();
    }

    public File clusterDir()
    {
        return backup.context().clusterDir();
    }

    /**
     * Seed a replacement member of {@code group} from a <em>closed</em> standby's files, for a group rebuilt after
     * losing all its members: the standby's archive (the snapshots and the log it copied) becomes the node's archive
     * and its recording log the group member's, so the member starts from the standby's state and replays the log
     * it copied. Seed every member of the rebuilt group this way (each from its own copy), then start them on
     * their directories without deleting them.
     *
     * @param standbyDir    the {@code baseDir} the standby ran on.
     * @param memberBaseDir the replacement node's {@code baseDir}; its archive must not exist yet or be empty (its
     *                      recording ids would collide with the standby's).
     * @throws IllegalStateException if the standby has no recording log or the member's archive is not empty.
     */
    public static void seedMember(final File standbyDir, final File memberBaseDir, final int group)
    {
        final File recordingLog = new File(new File(standbyDir, "cluster"), RecordingLog.RECORDING_LOG_FILE_NAME);
        final File standbyArchive = new File(standbyDir, "archive");
        if (!recordingLog.isFile() || !standbyArchive.isDirectory())
        {
            throw new IllegalStateException("no standby files (recording log and archive) under " + standbyDir);
        }
        final File archive = new File(memberBaseDir, "archive");
        final String[] existing = archive.list();
        if (null != existing && existing.length > 0)
        {
            throw new IllegalStateException("the member's archive " + archive + " is not empty: seed only a " +
                "replacement member, one group per node directory");
        }
        final File clusterDir = new File(memberBaseDir, "group-" + group);
        if (!archive.mkdirs() && !archive.isDirectory() || !clusterDir.mkdirs() && !clusterDir.isDirectory())
        {
            throw new IllegalStateException("cannot create " + archive + " and " + clusterDir);
        }
        final File[] files = standbyArchive.listFiles();
        for (final File file : null == files ? new File[0] : files)
        {
            if (file.isFile() && !file.getName().contains("mark"))
            {
                sparseCopy(file, new File(archive, file.getName()));
            }
        }
        sparseCopy(recordingLog, new File(clusterDir, RecordingLog.RECORDING_LOG_FILE_NAME));
    }

    /**
     * Copy a file, leaving its all-zero blocks as holes (archive segments are mostly unwritten, preallocated space).
     */
    private static void sparseCopy(final File from, final File to)
    {
        final ByteBuffer block = ByteBuffer.allocateDirect(64 * 1024);
        try (FileChannel in = FileChannel.open(from.toPath(), StandardOpenOption.READ);
            FileChannel out = FileChannel.open(to.toPath(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            long position = 0;
            final long length = in.size();
            while (position < length)
            {
                block.clear();
                final int read = in.read(block, position);
                if (read <= 0)
                {
                    break;
                }
                block.flip();
                if (!isZero(block))
                {
                    while (block.hasRemaining())
                    {
                        out.write(block, position + block.position());
                    }
                }
                position += read;
            }
            if (out.size() < length)
            {
                out.write(ByteBuffer.allocate(1), length - 1);
            }
            out.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, ex);
        }
    }

    private static boolean isZero(final ByteBuffer block)
    {
        int i = block.position();
        for (; i + Long.BYTES <= block.limit(); i += Long.BYTES)
        {
            if (0 != block.getLong(i))
            {
                return false;
            }
        }
        for (; i < block.limit(); i++)
        {
            if (0 != block.get(i))
            {
                return false;
            }
        }
        return true;
    }

    public void close()
    {
        CloseHelper.closeAll(backup, driver, ownedVerifier);
    }

    /**
     * Reports possible failures to the error handler; progress is visible through the counters.
     */
    private static final class EventsListener implements ClusterBackupEventsListener
    {
        private final ErrorHandler errorHandler;

        EventsListener(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
        }

        public void onBackupQuery()
        {
        }

        public void onPossibleFailure(final Exception ex)
        {
            errorHandler.onError(ex);
        }

        public void onBackupResponse(
            final ClusterMember[] members, final ClusterMember logSource, final List<RecordingLog.Snapshot> snapshots)
        {

        }

        public void onUpdatedRecordingLog(final RecordingLog log, final List<RecordingLog.Snapshot> snapshots)
        {

        }

        public void onLiveLogProgress(final long recordingId, final long recordingPosCounterId, final long position)
        {

        }
    }
}
