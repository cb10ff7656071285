package io.ferrite.replication;

import io.ferrite.replication.datastore.DataStore;
import io.ferrite.replication.datastore.DataStoreException;
import io.ferrite.replication.datastore.DataStorePolicyContext;
import io.ferrite.replication.datastore.JdbcDataStore;
import io.ferrite.replication.datastore.JdbcDataStoreContext;
import java.util.function.IntFunction;
import io.aeron.cluster.client.ClusterEvent;
import io.ferrite.codec.Credentials;
import io.ferrite.codec.RequestLimits;
import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.transport.CredentialsVerifier;
import org.agrona.ErrorHandler;
import io.ferrite.client.LowSlackIdleStrategy;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Settings of a {@link ReplicaNode}: which member it is, which groups it hosts, where its files go, and the
 * Raft timing. Fluent setters, validated once by {@link #conclude()}; a context serves one node only.
 */
public final class ReplicaNodeContext
{
    /**
     * Timer slack (ns) of the members' agent threads; 0 (the default) keeps the kernel's (50 us). Lowering it makes
     * the backoff's short parks last what they ask, at a CPU cost: three idle members on this 2-core VM used 92% of
     * a core at the kernel's slack and 129% at 1 us (see perf-results/latency/README.md, "Hop breakdown").
     */
    public static final String IDLE_TIMER_SLACK_PROP_NAME = "ferrite.replication.idle.timer.slack.ns";

    private boolean concluded;
    private int memberId = -1;
    private GroupTopology topology;
    private int[] groups = { 0 };
    private File baseDir;
    private String aeronDirectoryName;
    private boolean deleteOnStart;
    private long leaderHeartbeatTimeoutNs = ReplicationConfiguration.leaderHeartbeatTimeoutNs();
    private long leaderHeartbeatIntervalNs = ReplicationConfiguration.leaderHeartbeatIntervalNs();
    private long electionTimeoutNs = ReplicationConfiguration.electionTimeoutNs();
    private int termLength = ReplicationConfiguration.termLength();
    private long maxParkNs = ReplicationConfiguration.maxParkNs();
    private boolean driverOnArchiveThread = ReplicationConfiguration.driverOnArchiveThread();
    private long snapshotLogBytes = ReplicationConfiguration.snapshotLogBytes();
    private long snapshotIntervalMs = ReplicationConfiguration.snapshotIntervalMs();
    private long logRetentionMinMs = ReplicationConfiguration.logRetentionMinMs();
    private int archiveSegmentLength = ReplicationConfiguration.archiveSegmentLength();
    private int maxKeyLength = ReplicationConfiguration.maxKeyLength();
    private int maxValueLength = -1;
    private int maxMultiGetKeys = ReplicationConfiguration.maxMultiGetKeys();
    private RequestLimits requestLimits;
    private int maxSessions = ReplicationConfiguration.maxSessions();
    private int dedupMaxClients = ReplicationConfiguration.dedupMaxClients();
    private long sessionIdleTimeoutMs = ReplicationConfiguration.sessionIdleTimeoutMs();
    private long storeCapacityBytes = 64L * 1024 * 1024;
    private long storeMaxEntries;
    private EvictionPolicyType storePolicy;
    private ErrorHandler errorHandler = ReplicaNodeContext::printError;
    private DataStorePolicyContext dataStorePolicy;
    private IntFunction<DataStore> dataStoreFactory = ReplicaNodeContext::openJdbcDataStore;
    private int partitionCount = ReplicationConfiguration.partitionCount();
    private int clusterGroupCount = ReplicationConfiguration.clusterGroupCount();
    private CredentialsVerifier credentialsVerifier;
    private java.util.function.Consumer<ReplicaNode> onFailure = (node) ->
    {
        final Thread closer = new Thread(node::close, "ferrite-failed-node");
        closer.setDaemon(true);
        closer.start();
    };
    private boolean credentialsVerifierSet;
    private boolean ownsCredentialsVerifier;
    private byte[] credentials;
    private boolean credentialsSet;

    public ReplicaNodeContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("a ReplicaNodeContext is used for one node only");
        }
        concluded = true;
        if (null == topology)
        {
            throw new IllegalArgumentException("topology must be set");
        }
        if (memberId < 0 || memberId >= topology.memberCount())
        {
            throw new IllegalArgumentException(
                "memberId must be in [0, " + topology.memberCount() + "): " + memberId);
        }
        if (null == baseDir)
        {
            throw new IllegalArgumentException("baseDir must be set");
        }
        if (groups.length == 0)
        {
            throw new IllegalArgumentException("a node hosts at least one group");
        }
        for (final int group : groups)
        {
            topology.port(group, memberId, 0);
        }
        if (Arrays.stream(groups).distinct().count() != groups.length)
        {
            throw new IllegalArgumentException("groups must be distinct: " + Arrays.toString(groups));
        }
        if (leaderHeartbeatIntervalNs <= 0 || leaderHeartbeatTimeoutNs < 3 * leaderHeartbeatIntervalNs ||
            electionTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("need heartbeat timeout >= 3 x heartbeat interval > 0 and an election " +
                "timeout > 0");
        }
        if (Integer.bitCount(termLength) != 1 || termLength < 64 * 1024 || termLength > 1024 * 1024 * 1024)
        {
            throw new IllegalArgumentException("termLength must be a power of two in [64 KiB, 1 GiB]: " + termLength);
        }
        if (Integer.bitCount(archiveSegmentLength) != 1 || archiveSegmentLength < termLength)
        {
            throw new IllegalArgumentException("archiveSegmentLength must be a power of two >= termLength: " +
                archiveSegmentLength);
        }
        if (partitionCount > 0)
        {
            io.ferrite.codec.PartitionHash.checkPartitionCount(partitionCount);
            if (clusterGroupCount < 1 || clusterGroupCount > partitionCount)
            {
                throw new IllegalArgumentException("a partitioned cluster needs 1 to " + partitionCount +
                    " groups (" + ReplicationConfiguration.CLUSTER_GROUPS_PROP_NAME + "): " + clusterGroupCount);
            }
            for (final int group : groups)
            {
                if (group >= clusterGroupCount)
                {
                    throw new IllegalArgumentException("group " + group + " is not one of the cluster's " +
                        clusterGroupCount + " groups");
                }
            }
        }
        if (null == aeronDirectoryName)
        {
            aeronDirectoryName = defaultAeronDirectoryName(topology.portBase(), memberId);
        }
        if (maxSessions < 2)
        {
            throw new IllegalArgumentException("maxSessions must be at least 2: " + maxSessions);
        }
        if (dedupMaxClients < 1)
        {
            throw new IllegalArgumentException("dedupMaxClients must be positive: " + dedupMaxClients);
        }
        if (sessionIdleTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("sessionIdleTimeoutMs must be positive: " + sessionIdleTimeoutMs);
        }
        if (maxValueLength < 0)
        {
            maxValueLength = (int)Math.max(0, Math.min(ReplicationConfiguration.maxValueLength(),
                (long)termLength / 8 - maxKeyLength - RequestLimits.REQUEST_OVERHEAD));
        }
        requestLimits = new RequestLimits(maxKeyLength, maxValueLength, maxMultiGetKeys).requireFits(termLength / 8);
        concludeSecurity();
        warnOnEphemeralPorts();
        return this;
    }

    private void warnOnEphemeralPorts()
    {
        int highest = topology.portBase() + memberId;
        for (final int group : groups)
        {
            highest = Math.max(highest, topology.highestPort(group));
        }
        final int[] overlap = GroupTopology.ephemeralOverlap(topology.portBase(), highest);
        if (null != overlap)
        {
            errorHandler.onError(new ClusterEvent("WARNING: member " + memberId + " listens on ports " +
                topology.portBase() + "-" + highest + ", of which " + overlap[0] + "-" + overlap[1] + " lie in the " +
                "kernel's ephemeral range (net.ipv4.ip_local_port_range): any outgoing socket may already hold one " +
                "and binding it then fails with 'Address already in use'; choose a port base below the range (" +
                ReplicationConfiguration.PORT_BASE_PROP_NAME + ", default " +
                ReplicationConfiguration.PORT_BASE_DEFAULT + ") or reserve the ports " +
                "(net.ipv4.ip_local_reserved_ports)"));
        }
    }

    private void concludeSecurity()
    {
        if (!credentialsSet)
        {
            credentials = Credentials.login();
        }
        if (!credentialsVerifierSet)
        {
            credentialsVerifier = CredentialsVerifier.fromConfiguration(
                (message) -> errorHandler.onError(new ClusterEvent("member " + memberId + ": " + message)));
            ownsCredentialsVerifier = null != credentialsVerifier;
        }
        if (null == credentialsVerifier)
        {
            if (!isLoopback(topology.host(memberId)))
            {
                errorHandler.onError(new ClusterEvent("WARNING: member " + memberId + " binds " +
                    topology.host(memberId) + " (not loopback) with authentication off: anyone who reaches its " +
                    "ingress, archive or stale-read ports can read, write, replay or purge; set " +
                    Credentials.CREDENTIALS_FILE_PROPERTY + " (or " + Credentials.CREDENTIALS_FILE_ENV + ")"));
            }
            return;
        }
        final int role = null == credentials ? Credentials.MALFORMED :
            credentialsVerifier.store().verify(Credentials.decode(credentials));
        if (Credentials.ADMIN != role)
        {
            if (ownsCredentialsVerifier)
            {
                credentialsVerifier.close();
            }
            throw new IllegalStateException("authentication is on (" + credentialsVerifier.store().file() + ") " +
                "but this member's own login " + (null == credentials ? "is not configured" : "is refused: " +
                (role < 0 ? Credentials.reason(role) : "role " + Credentials.roleName(role) + ", needs admin")) +
                "; members open internal sessions (archive, partition moves) with the login in " +
                Credentials.LOGIN_FILE_PROPERTY + ", " + Credentials.LOGIN_FILE_ENV + " or " + Credentials.LOGIN_ENV);
        }
    }

    private static boolean isLoopback(final String host)
    {
        try
        {
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }

    /**
     * Where a node's media driver lives unless set: under /dev/shm, named by port base and member so several
     * local nodes never share one, and so tools can find a node's counters.
     */
    public static String defaultAeronDirectoryName(final int portBase, final int memberId)
    {
        final File shm = new File("/dev/shm");
        final File parent = shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir"));
        return new File(parent, "ferrite-" + portBase + "-member-" + memberId).getPath();
    }

    public ReplicaNodeContext memberId(final int memberId)
    {
        this.memberId = memberId;
        return this;
    }

    public int memberId()
    {
        return memberId;
    }

    public ReplicaNodeContext topology(final GroupTopology topology)
    {
        this.topology = topology;
        return this;
    }

    public GroupTopology topology()
    {
        return topology;
    }

    /**
     * The replica groups this node hosts a member of (it is member {@link #memberId()} in each).
     */
    public ReplicaNodeContext groups(final int... groups)
    {
        this.groups = groups.clone();
        return this;
    }

    public int[] groups()
    {
        return groups.clone();
    }

    public ReplicaNodeContext baseDir(final File baseDir)
    {
        this.baseDir = baseDir;
        return this;
    }

    public File baseDir()
    {
        return baseDir;
    }

    public ReplicaNodeContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Delete archive, cluster and Aeron directories on start: the node starts with no history.
     */
    public ReplicaNodeContext deleteOnStart(final boolean deleteOnStart)
    {
        this.deleteOnStart = deleteOnStart;
        return this;
    }

    public boolean deleteOnStart()
    {
        return deleteOnStart;
    }

    public ReplicaNodeContext leaderHeartbeatTimeoutNs(final long timeoutNs)
    {
        this.leaderHeartbeatTimeoutNs = timeoutNs;
        return this;
    }

    public long leaderHeartbeatTimeoutNs()
    {
        return leaderHeartbeatTimeoutNs;
    }

    public ReplicaNodeContext leaderHeartbeatIntervalNs(final long intervalNs)
    {
        this.leaderHeartbeatIntervalNs = intervalNs;
        return this;
    }

    public long leaderHeartbeatIntervalNs()
    {
        return leaderHeartbeatIntervalNs;
    }

    public ReplicaNodeContext electionTimeoutNs(final long timeoutNs)
    {
        this.electionTimeoutNs = timeoutNs;
        return this;
    }

    public long electionTimeoutNs()
    {
        return electionTimeoutNs;
    }

    public ReplicaNodeContext termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    public int termLength()
    {
        return termLength;
    }

    /**
     * Longest park of the backoff idle strategies; lower means lower latency and more CPU.
     */
    public ReplicaNodeContext maxParkNs(final long maxParkNs)
    {
        this.maxParkNs = maxParkNs;
        return this;
    }

    public long maxParkNs()
    {
        return maxParkNs;
    }

    /**
     * Run the member's media driver inside the archive's duty cycle (one thread for both: a frame the driver
     * receives for the archive is recorded without a hand-off, and one thread fewer parks and wakes), or on a thread
     * of its own (the default, from {@link ReplicationConfiguration#DRIVER_THREAD_PROP_NAME}).
     */
    public ReplicaNodeContext driverOnArchiveThread(final boolean driverOnArchiveThread)
    {
        this.driverOnArchiveThread = driverOnArchiveThread;
        return this;
    }

    public boolean driverOnArchiveThread()
    {
        return driverOnArchiveThread;
    }

    /**
     * Log growth after which the leader triggers a snapshot (and the log before it can be purged); 0 disables.
     */
    public ReplicaNodeContext snapshotLogBytes(final long snapshotLogBytes)
    {
        this.snapshotLogBytes = snapshotLogBytes;
        return this;
    }

    public long snapshotLogBytes()
    {
        return snapshotLogBytes;
    }

    /**
     * Also snapshot when this long has passed since the last snapshot and the log has grown; 0 disables.
     */
    public ReplicaNodeContext snapshotIntervalMs(final long snapshotIntervalMs)
    {
        this.snapshotIntervalMs = snapshotIntervalMs;
        return this;
    }

    public long snapshotIntervalMs()
    {
        return snapshotIntervalMs;
    }

    /**
     * Purge log before a snapshot only once that snapshot is at least this old (a member away for less can catch up).
     */
    public ReplicaNodeContext logRetentionMinMs(final long logRetentionMinMs)
    {
        this.logRetentionMinMs = logRetentionMinMs;
        return this;
    }

    public long logRetentionMinMs()
    {
        return logRetentionMinMs;
    }

    /**
     * Archive segment file length: the unit in which old log is purged (at least the term length).
     */
    public ReplicaNodeContext archiveSegmentLength(final int archiveSegmentLength)
    {
        this.archiveSegmentLength = archiveSegmentLength;
        return this;
    }

    public int archiveSegmentLength()
    {
        return archiveSegmentLength;
    }

    /**
     * Longest key the group accepts (default {@link ReplicationConfiguration#MAX_KEY_LENGTH_DEFAULT}); the same
     * limit holds in the log and at the stale-read endpoints.
     */
    public ReplicaNodeContext maxKeyLength(final int maxKeyLength)
    {
        this.maxKeyLength = maxKeyLength;
        return this;
    }

    public int maxKeyLength()
    {
        return maxKeyLength;
    }

    /**
     * Largest value the group accepts; unset, {@link ReplicationConfiguration#MAX_VALUE_LENGTH_PROP_NAME} (1 MiB),
     * lowered if need be so that a key and a value at their limits fit one message (an eighth of the term length).
     */
    public ReplicaNodeContext maxValueLength(final int maxValueLength)
    {
        this.maxValueLength = maxValueLength;
        return this;
    }

    public int maxValueLength()
    {
        return maxValueLength;
    }

    public ReplicaNodeContext maxMultiGetKeys(final int maxMultiGetKeys)
    {
        this.maxMultiGetKeys = maxMultiGetKeys;
        return this;
    }

    public int maxMultiGetKeys()
    {
        return maxMultiGetKeys;
    }

    /**
     * Most client sessions each group accepts at once (default {@link ReplicationConfiguration#MAX_SESSIONS_DEFAULT});
     * one slot is kept free for newcomers by closing idle sessions ({@link #sessionIdleTimeoutMs(long)}).
     */
    public ReplicaNodeContext maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * How long a session must have been idle before it is closed to make room, once a group is within one session of
     * {@link #maxSessions()}.
     */
    public ReplicaNodeContext sessionIdleTimeoutMs(final long sessionIdleTimeoutMs)
    {
        this.sessionIdleTimeoutMs = sessionIdleTimeoutMs;
        return this;
    }

    public long sessionIdleTimeoutMs()
    {
        return sessionIdleTimeoutMs;
    }

    /**
     * Most client instances whose recent write outcomes each group remembers (about
     * {@link RequestDeduplicator#BYTES_PER_CLIENT} bytes of heap each); equal on every member of a group.
     */
    public ReplicaNodeContext dedupMaxClients(final int dedupMaxClients)
    {
        this.dedupMaxClients = dedupMaxClients;
        return this;
    }

    public int dedupMaxClients()
    {
        return dedupMaxClients;
    }

    /**
     * The group's one set of request limits, built by {@link #conclude()}.
     */
    public RequestLimits requestLimits()
    {
        return requestLimits;
    }

    /**
     * The datastore policies every group of this node runs (default: from the {@code ferrite.replication.datastore.*}
     * system properties; none unless set).
     */
    public ReplicaNodeContext dataStorePolicy(final DataStorePolicyContext dataStorePolicy)
    {
        this.dataStorePolicy = dataStorePolicy;
        return this;
    }

    public DataStorePolicyContext dataStorePolicy()
    {
        if (null == dataStorePolicy)
        {
            dataStorePolicy = new DataStorePolicyContext().conclude();
        }
        return dataStorePolicy;
    }

    /**
     * Opens the database of a group when its policies need one (default: {@link JdbcDataStore} configured by the
     * {@code ferrite.replication.datastore.*} system properties; every group shares the table, keys being
     * partitioned).
     */
    public ReplicaNodeContext dataStoreFactory(final IntFunction<DataStore> dataStoreFactory)
    {
        this.dataStoreFactory = dataStoreFactory;
        return this;
    }

    public IntFunction<DataStore> dataStoreFactory()
    {
        return dataStoreFactory;
    }

    private static DataStore openJdbcDataStore(final int group)
    {
        try
        {
            return JdbcDataStore.open(new JdbcDataStoreContext());
        }
        catch (final DataStoreException ex)
        {
            throw new IllegalStateException("group " + group + ": cannot open the datastore: " + ex.getMessage(), ex);
        }
    }

    public ReplicaNodeContext storeCapacityBytes(final long storeCapacityBytes)
    {
        this.storeCapacityBytes = storeCapacityBytes;
        return this;
    }

    public long storeCapacityBytes()
    {
        return storeCapacityBytes;
    }

    public ReplicaNodeContext storeMaxEntries(final long storeMaxEntries)
    {
        this.storeMaxEntries = storeMaxEntries;
        return this;
    }

    public long storeMaxEntries()
    {
        return storeMaxEntries;
    }

    public ReplicaNodeContext storePolicy(final EvictionPolicyType storePolicy)
    {
        this.storePolicy = storePolicy;
        return this;
    }

    public EvictionPolicyType storePolicy()
    {
        return storePolicy;
    }

    /**
     * The default error handler: cluster events (warnings such as a leader heartbeat timeout during a failover)
     * as one line, anything else with its stack trace, on standard error.
     */
    static void printError(final Throwable error)
    {
        if (error instanceof ClusterEvent)
        {
            System.err.println("ferrite replication: " + error.getMessage());
        }
        else
        {
            error.printStackTrace();
        }
    }

    /**
     * Partitions of the cluster this node's groups belong to (fixed when the cluster is created), or 0 for groups
     * outside a partitioned cluster, which serve every key.
     */
    public ReplicaNodeContext partitionCount(final int partitionCount)
    {
        this.partitionCount = partitionCount;
        return this;
    }

    public int partitionCount()
    {
        return partitionCount;
    }

    /**
     * Groups of the partitioned cluster; partition {@code p} starts on group {@code p % clusterGroupCount}.
     */
    public ReplicaNodeContext clusterGroupCount(final int clusterGroupCount)
    {
        this.clusterGroupCount = clusterGroupCount;
        return this;
    }

    public int clusterGroupCount()
    {
        return clusterGroupCount;
    }

    public ReplicaNodeContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Authenticate the group's clients, its archive's control channel and the stale-read endpoints with
     * {@code verifier} (null: off). Default: the credentials file configured in this process
     * ({@link Credentials#configuredCredentialsFile()}), or off. The caller keeps ownership of a verifier it sets.
     */
    public ReplicaNodeContext credentialsVerifier(final CredentialsVerifier verifier)
    {
        this.credentialsVerifier = verifier;
        this.credentialsVerifierSet = true;
        return this;
    }

    public CredentialsVerifier credentialsVerifier()
    {
        return credentialsVerifier;
    }

    /**
     * What to do when the node fails ({@link ReplicaNode#failure()}: its archive stopped). Default: close the node,
     * so it leaves the group and its status shows it unreachable; a process should exit non-zero so a supervisor
     * restarts it ({@code ferrite cluster node} does). Called on a node thread, once.
     */
    public ReplicaNodeContext onFailure(final java.util.function.Consumer<ReplicaNode> onFailure)
    {
        this.onFailure = onFailure;
        return this;
    }

    public java.util.function.Consumer<ReplicaNode> onFailure()
    {
        return onFailure;
    }

    boolean ownsCredentialsVerifier()
    {
        return ownsCredentialsVerifier;
    }

    /**
     * The login the node's own sessions present (archive clients, the partition mover, the standby), in
     * {@link Credentials}' wire form; with authentication on it must be an admin user of the credentials file.
     * Default: this process's configured login ({@link Credentials#login()}).
     */
    public ReplicaNodeContext credentials(final byte[] credentials)
    {
        this.credentials = credentials;
        this.credentialsSet = true;
        return this;
    }

    public byte[] credentials()
    {
        return credentials;
    }

    /**
     * Backoff idle strategies: a few spins and yields, then parks growing to {@link #maxParkNs()}. Never a
     * busy spin: two spinning threads starve a 2-core machine.
     */
    public Supplier<IdleStrategy> idleStrategySupplier()
    {
        final long maxPark = maxParkNs;
        final long minPark = Math.min(maxPark, ReplicationConfiguration.minParkNs());
        final long slackNs = Long.getLong(IDLE_TIMER_SLACK_PROP_NAME, 0);
        final int spins = ReplicationConfiguration.spins();
        final int yields = ReplicationConfiguration.yields();
        return () -> new LowSlackIdleStrategy(new BackoffIdleStrategy(spins, yields, minPark, maxPark), slackNs);
    }
}
