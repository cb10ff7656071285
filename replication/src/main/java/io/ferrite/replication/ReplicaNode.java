package io.ferrite.replication;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.ArchivingMediaDriver;
import io.aeron.archive.client.AeronArchive;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ferrite.client.EmbeddedDriver;
import io.ferrite.codec.Credentials;
import io.ferrite.transport.CredentialsVerifier;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Ferrite node process's replication side: one media driver and one archive, and one member (consensus
 * module + service) for every replica group the node hosts. Three nodes hosting three groups can spread the
 * groups' leaders over the three machines.
 * <p>
 * Threads: the driver (conductor, sender and receiver) and the archive each run one shared agent, or one thread runs
 * the archive's duty cycle and, inside it, the driver's when {@link ReplicaNodeContext#driverOnArchiveThread()} is on;
 * each group member runs a consensus module agent and a service agent. All use backoff idle strategies (see
 * {@link ReplicaNodeContext#maxParkNs()}).
 * <p>
 * The node owns its base directory through {@link NodeDirectoryLock}: a second live process on the same directory
 * is refused, and a node restarted at once after its predecessor was killed (SIGKILL) starts without waiting for
 * the dead process's Aeron mark files to time out.
 * <b>Note:</b> launch and close from one thread; the query methods are thread-safe.
 */
public final class ReplicaNode implements AutoCloseable
{
    private static final int RETENTION_RESPONSE_STREAM_ID = 999;
    /** Milliseconds without a stamp on the archive's mark file after which the node fails (a running archive stamps
     * it every second); system property {@code ferrite.replication.archive.stall.timeout.ms}. */
    static final long ARCHIVE_STALL_TIMEOUT_MS = Long.getLong("ferrite.replication.archive.stall.timeout.ms", 10_000);

    private final ReplicaNodeContext ctx;
    private final NodeDirectoryLock directoryLock;
    private final ArchivingMediaDriver driver;
    private final List<GroupMember> members = new ArrayList<>();
    private AgentRunner archiveRunner;
    private AgentRunner retentionRunner;
    private volatile String failure;

    private ReplicaNode(final ReplicaNodeContext ctx)
    {
        this.ctx = ctx;
        final File archiveDir = new File(ctx.baseDir(), "archive");
        directoryLock = NodeDirectoryLock.acquire(ctx.baseDir());
        try
        {
            // the driver deletes its directory on start: never one another running member's driver uses
            EmbeddedDriver.refuseIfInUse(new File(ctx.aeronDirectoryName()));
            if (ctx.deleteOnStart())
            {
                final File[] children = ctx.baseDir().listFiles();
                for (final File child : null == children ? new File[0] : children)
                {
                    if (!NodeDirectoryLock.FILENAME.equals(child.getName()))
                    {
                        IoUtil.delete(child, true);
                    }
                }
            }
            directoryLock.markStaleMarkFilesInactive(ctx.baseDir());
        }
        catch (final RuntimeException ex)
        {
            directoryLock.close();
            throw ex;
        }
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ctx.driverOnArchiveThread() ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
            .sharedIdleStrategy(ctx.idleStrategySupplier().get())
            .termBufferSparseFile(true)
            .errorHandler(ctx.errorHandler());
        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .archiveDir(archiveDir)
            .archiveId(ctx.topology().portBase() * 100L + ctx.memberId())
            .deleteArchiveOnStart(ctx.deleteOnStart())
            .controlChannel("aeron:udp?endpoint=" + ctx.topology().archiveControlEndpoint(ctx.memberId()))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + ctx.topology().host(ctx.memberId()) + ":0")
            .segmentFileLength(Math.max(ctx.termLength(), ctx.archiveSegmentLength()))
            .recordingEventsEnabled(false)
            .threadingMode(ctx.driverOnArchiveThread() ? ArchiveThreadingMode.INVOKER : ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(ctx.idleStrategySupplier())
            .errorHandler(ctx.errorHandler());
        secureArchive(
            ctx.credentialsVerifier(), ctx.credentials(), archiveCtx, "member " + ctx.memberId() + " archive");
        ArchivingMediaDriver launched = null;
        try
        {
            launched = ArchivingMediaDriver.launch(driverCtx, archiveCtx);
            if (ctx.driverOnArchiveThread())
            {
                // the archive, in invoker mode, runs the driver's duty cycle inside its own
                archiveRunner = new AgentRunner(ctx.idleStrategySupplier().get(), ctx.errorHandler(), null,
                    new InvokedAgent("archive-and-driver", launched.archive().invoker()));
                AgentRunner.startOnThread(archiveRunner);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(archiveRunner);
            CloseHelper.quietClose(launched);
            directoryLock.close();
            closeOwnedVerifier();
            throw ex;
        }
        driver = launched;
        try
        {
            for (final int group : ctx.groups())
            {
                members.add(new GroupMember(
                    ctx, group, archiveCtx.localControlChannel(), archiveCtx.localControlStreamId()));
            }
            final AeronArchive.Context retentionArchive = new AeronArchive.Context()
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .controlRequestChannel(archiveCtx.localControlChannel())
                .controlRequestStreamId(archiveCtx.localControlStreamId())
                .controlResponseChannel(archiveCtx.localControlChannel())
                .controlResponseStreamId(RETENTION_RESPONSE_STREAM_ID)
                .credentialsSupplier(CredentialsVerifier.credentialsSupplier(ctx.credentials()));
            retentionRunner = new AgentRunner(
                new SleepingMillisIdleStrategy(100), ctx.errorHandler(), null, new CompositeAgent(
                    new RetentionAgent(ctx, members, retentionArchive, archiveCtx.segmentFileLength()),
                    new ArchiveWatchdog(archiveCtx.archiveMarkFile())));
            AgentRunner.startOnThread(retentionRunner);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Why the node failed and stopped serving (its archive stopped: a full disk, an I/O error), or null while
     * healthy. A failed node reports it to the error handler and runs {@link ReplicaNodeContext#onFailure}.
     */
    public String failure()
    {
        return failure;
    }

    /**
     * Watches the archive's mark file, which a running archive stamps every second: an archive whose thread died
     * (a full disk, an I/O error) leaves the member unable to record or replay the log while it still reports
     * FOLLOWER. After {@link #ARCHIVE_STALL_TIMEOUT_MS} without a stamp the node fails, so a supervisor restarts it.
     */
    private final class ArchiveWatchdog implements Agent
    {
        private final ArchiveMarkFile markFile;
        private long nextCheckMs;

        ArchiveWatchdog(final ArchiveMarkFile markFile)
        {
            this.markFile = markFile;
        }

        public int doWork()
        {
            final long nowMs = System.currentTimeMillis();
            if (nowMs < nextCheckMs || null != failure)
            {
                return 0;
            }
            nextCheckMs = nowMs + 1000;
            final long silentMs = nowMs - markFile.activityTimestampVolatile();
            if (silentMs > ARCHIVE_STALL_TIMEOUT_MS)
            {
                failure = "member " + ctx.memberId() + ": its archive has not run for " + silentMs + " ms (full " +
                    "disk or I/O error; see the error log): the member stops instead of staying in the group " +
                    "unable to record the log";
                ctx.errorHandler().onError(new ReplicationException(failure));
                ctx.onFailure().accept(ReplicaNode.this);
                return 1;
            }
            return 0;
        }

        public String roleName()
        {
            return "ferrite-archive-watchdog";
        }
    }

    /**
     * Start a node as {@code ctx} describes.
     */
    public static ReplicaNode launch(final ReplicaNodeContext ctx)
    {
        return new ReplicaNode(ctx.conclude());
    }

    public int memberId()
    {
        return ctx.memberId();
    }

    public String aeronDirectoryName()
    {
        return ctx.aeronDirectoryName();
    }

    List<GroupMember> members()
    {
        return Collections.unmodifiableList(members);
    }

    /**
     * The service of the member of {@code group} on this node.
     *
     * @throws IllegalArgumentException if this node hosts no member of the group.
     */
    public FerriteClusteredService service(final int group)
    {
        return member(group).service();
    }

    /**
     * Ask for a snapshot of {@code group}; only effective on the group's leader.
     */
    public boolean requestSnapshot(final int group)
    {
        return member(group).requestSnapshot();
    }

    private GroupMember member(final int group)
    {
        for (final GroupMember member : members)
        {
            if (member.group() == group)
            {
                return member;
            }
        }
        throw new IllegalArgumentException("node " + ctx.memberId() + " hosts no member of group " + group);
    }

    public void close()
    {
        CloseHelper.quietClose(retentionRunner);
        for (int i = members.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(members.get(i));
        }
        // the members' clients close through the driver, so its duty cycle stops after them
        CloseHelper.quietClose(archiveRunner);
        CloseHelper.quietClose(driver);
        CloseHelper.quietClose(directoryLock);
        closeOwnedVerifier();
    }

    /**
     * Runs an invoker-mode component's duty cycle on an {@link AgentRunner}; the component closes its invoker.
     */
    private static final class InvokedAgent implements Agent
    {
        private final String roleName;
        private final AgentInvoker invoker;

        InvokedAgent(final String roleName, final AgentInvoker invoker)
        {
            this.roleName = roleName;
            this.invoker = invoker;
        }

        public int doWork()
        {
            return invoker.invoke();
        }

        public String roleName()
        {
            return roleName;
        }
    }

    /**
     * With authentication on, admit only admin users to an archive's control channel (local and remote: replay,
     * purge and replication are all admin), and give the archive's own client (replication from another archive)
     * the node's login.
     */
    static void secureArchive(
        final CredentialsVerifier verifier,
        final byte[] credentials,
        final Archive.Context archiveCtx,
        final String name)
    {
        if (null != verifier)
        {
            archiveCtx.authenticatorSupplier(
                verifier.authenticatorSupplier(name, Credentials.ADMIN, archiveCtx::aeron));
        }
        if (null != credentials)
        {
            archiveCtx.archiveClientContext(new AeronArchive.Context()
                .credentialsSupplier(CredentialsVerifier.credentialsSupplier(credentials)));
        }
    }

    private void closeOwnedVerifier()
    {
        if (ctx.ownsCredentialsVerifier())
        {
            CloseHelper.quietClose(ctx.credentialsVerifier());
        }
    }
}
