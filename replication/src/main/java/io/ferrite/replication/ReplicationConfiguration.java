package io.ferrite.replication;

import io.ferrite.codec.RequestLimits;

import java.util.concurrent.TimeUnit;

/**
 * System properties and defaults for replica nodes.
 * <p>
 * Failover takes roughly the leader heartbeat timeout, plus a random nomination delay, plus one election
 * timeout. Aeron's defaults (10 s heartbeat timeout) fail over in about 11 s; Ferrite's defaults aim under one
 * second on loopback while staying clear of false elections from scheduling hiccups on a busy 2-core machine.
 */
public final class ReplicationConfiguration
{
    public static final String LEADER_HEARTBEAT_TIMEOUT_PROP_NAME = "ferrite.replication.leader.heartbeat.timeout.ms";
    public static final long LEADER_HEARTBEAT_TIMEOUT_MS_DEFAULT = 400;

    public static final String LEADER_HEARTBEAT_INTERVAL_PROP_NAME = "ferrite.replication.leader.heartbeat.interval.ms";
    public static final long LEADER_HEARTBEAT_INTERVAL_MS_DEFAULT = 40;

    public static final String ELECTION_TIMEOUT_PROP_NAME = "ferrite.replication.election.timeout.ms";
    public static final long ELECTION_TIMEOUT_MS_DEFAULT = 150;

    /** Partitions of a partitioned cluster (0: the groups are not partitioned and serve every key). */
    public static final String PARTITIONS_PROP_NAME = "ferrite.cluster.partitions";
    public static final int PARTITIONS_DEFAULT = 0;

    /** Groups of a partitioned cluster. */
    public static final String CLUSTER_GROUPS_PROP_NAME = "ferrite.cluster.groups";
    public static final int CLUSTER_GROUPS_DEFAULT = 0;

    public static final String PORT_BASE_PROP_NAME = "ferrite.replication.port.base";
    public static final int PORT_BASE_DEFAULT = 21000;

    /** Term length of the Raft log and of client channels: messages may be up to 1/8 of it. */
    public static final String TERM_LENGTH_PROP_NAME = "ferrite.replication.term.length";
    public static final int TERM_LENGTH_DEFAULT = 16 * 1024 * 1024;

    /** Longest park of the backoff idle strategies (microseconds): the latency/CPU trade-off. */
    public static final String MAX_PARK_US_PROP_NAME = "ferrite.replication.idle.max.park.us";
    public static final long MAX_PARK_US_DEFAULT = 100;

    /**
     * Spins, then yields, of the backoff idle strategies before their first park: each yield is a system call, so
     * they cost CPU on every transition to idle, and buy polling for the first microseconds of it.
     */
    public static final String SPINS_PROP_NAME = "ferrite.replication.idle.spins";
    public static final int SPINS_DEFAULT = 10;
    public static final String YIELDS_PROP_NAME = "ferrite.replication.idle.yields";
    public static final int YIELDS_DEFAULT = 20;

    /** First park of the backoff idle strategies (microseconds), doubling to the longest. */
    public static final String MIN_PARK_US_PROP_NAME = "ferrite.replication.idle.min.park.us";
    public static final long MIN_PARK_US_DEFAULT = 1;

    /**
     * Who runs a member's media driver: {@code own} (default) gives the driver a thread of its own; {@code archive}
     * runs it inside the archive's duty cycle, one thread for both (one thread fewer waking up per member; measured
     * under load it saved no idle CPU and lowered saturation, so it is not the default).
     */
    public static final String DRIVER_THREAD_PROP_NAME = "ferrite.replication.driver.thread";
    public static final String DRIVER_THREAD_DEFAULT = "own";

    /** Take a snapshot once the log has grown this many bytes since the last one; 0 disables. */
    public static final String SNAPSHOT_LOG_BYTES_PROP_NAME = "ferrite.replication.snapshot.log.bytes";
    public static final long SNAPSHOT_LOG_BYTES_DEFAULT = 256L * 1024 * 1024;

    /** Also take a snapshot when this long has passed since the last one and the log has grown; 0 disables. */
    public static final String SNAPSHOT_INTERVAL_MS_PROP_NAME = "ferrite.replication.snapshot.interval.ms";
    public static final long SNAPSHOT_INTERVAL_MS_DEFAULT = 0;

    /**
     * Log older than the second newest snapshot is purged only once that snapshot is at least this old, so a member
     * that was away (or slow to start) for less than this can still catch up from the leader's archive.
     */
    public static final String LOG_RETENTION_MIN_MS_PROP_NAME = "ferrite.replication.log.retention.min.ms";
    public static final long LOG_RETENTION_MIN_MS_DEFAULT = 5 * 60 * 1000;

    /** Archive segment file length: old log is purged in whole segments. */
    public static final String ARCHIVE_SEGMENT_LENGTH_PROP_NAME = "ferrite.replication.archive.segment.length";
    public static final int ARCHIVE_SEGMENT_LENGTH_DEFAULT = 64 * 1024 * 1024;

    /** Longest key a group accepts, in the log and at its stale-read endpoints alike. */
    public static final String MAX_KEY_LENGTH_PROP_NAME = "ferrite.replication.max.key.length";
    public static final int MAX_KEY_LENGTH_DEFAULT = RequestLimits.DEFAULT_MAX_KEY_LENGTH;

    /** Largest value a group accepts; it must fit one message with the longest key (an eighth of the term). */
    public static final String MAX_VALUE_LENGTH_PROP_NAME = "ferrite.replication.max.value.length";
    public static final int MAX_VALUE_LENGTH_DEFAULT = RequestLimits.DEFAULT_MAX_VALUE_LENGTH;

    /** Most keys one multi-get may ask for. */
    public static final String MAX_MULTI_GET_KEYS_PROP_NAME = "ferrite.replication.max.multi.get.keys";
    public static final int MAX_MULTI_GET_KEYS_DEFAULT = RequestLimits.DEFAULT_MAX_MULTI_GET_KEYS;

    /**
     * Most client sessions a group accepts at once (Aeron's {@code maxConcurrentSessions}; Aeron's own default is 10).
     */
    public static final String MAX_SESSIONS_PROP_NAME = "ferrite.replication.max.sessions";
    public static final int MAX_SESSIONS_DEFAULT = 256;

    /**
     * When a group is within one session of its limit, a session idle for this long is closed so newcomers find a
     * slot; below that mark idle sessions stay.
     */
    public static final String SESSION_IDLE_TIMEOUT_MS_PROP_NAME = "ferrite.replication.session.idle.timeout.ms";
    public static final long SESSION_IDLE_TIMEOUT_MS_DEFAULT = 30_000;

    /**
     * Most client instances whose recent write outcomes a group remembers (about 3 KiB of heap each, all in
     * snapshots); beyond it the least recently used is forgotten. Must be equal on every member of a group.
     */
    public static final String DEDUP_MAX_CLIENTS_PROP_NAME = "ferrite.replication.dedup.max.clients";
    public static final int DEDUP_MAX_CLIENTS_DEFAULT = 4096;

    private ReplicationConfiguration()
    {
    }

    public static long leaderHeartbeatTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(LEADER_HEARTBEAT_TIMEOUT_PROP_NAME, LEADER_HEARTBEAT_TIMEOUT_MS_DEFAULT));
    }

    public static long leaderHeartbeatIntervalNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(LEADER_HEARTBEAT_INTERVAL_PROP_NAME, LEADER_HEARTBEAT_INTERVAL_MS_DEFAULT));
    }

    public static long electionTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(ELECTION_TIMEOUT_PROP_NAME, ELECTION_TIMEOUT_MS_DEFAULT));
    }

    public static int partitionCount()
    {
        return Integer.getInteger(PARTITIONS_PROP_NAME, PARTITIONS_DEFAULT);
    }

    public static int clusterGroupCount()
    {
        return Integer.getInteger(CLUSTER_GROUPS_PROP_NAME, CLUSTER_GROUPS_DEFAULT);
    }

    public static int portBase()
    {
        return Integer.getInteger(PORT_BASE_PROP_NAME, PORT_BASE_DEFAULT);
    }

    public static int termLength()
    {
        return Integer.getInteger(TERM_LENGTH_PROP_NAME, TERM_LENGTH_DEFAULT);
    }

    /**
     * Whether a member's media driver runs on the archive's thread ({@link #DRIVER_THREAD_PROP_NAME}).
     *
     * @throws IllegalArgumentException for a value other than {@code archive} or {@code own}.
     */
    public static boolean driverOnArchiveThread()
    {
        final String value = System.getProperty(DRIVER_THREAD_PROP_NAME, DRIVER_THREAD_DEFAULT).trim();
        if ("archive".equals(value))
        {
            return true;
        }
        if ("own".equals(value))
        {
            return false;
        }
        throw new IllegalArgumentException(
            DRIVER_THREAD_PROP_NAME + " must be 'archive' or 'own', not '" + value + "'");
    }

    public static int spins()
    {
        return nonNegative(SPINS_PROP_NAME, Integer.getInteger(SPINS_PROP_NAME, SPINS_DEFAULT));
    }

    public static int yields()
    {
        return nonNegative(YIELDS_PROP_NAME, Integer.getInteger(YIELDS_PROP_NAME, YIELDS_DEFAULT));
    }

    private static int nonNegative(final String name, final int value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException(name + " must be 0 or more, not " + value);
        }
        return value;
    }

    public static long minParkNs()
    {
        return TimeUnit.MICROSECONDS.toNanos(Long.getLong(MIN_PARK_US_PROP_NAME, MIN_PARK_US_DEFAULT));
    }

    public static long maxParkNs()
    {
        return TimeUnit.MICROSECONDS.toNanos(Long.getLong(MAX_PARK_US_PROP_NAME, MAX_PARK_US_DEFAULT));
    }

    public static long snapshotIntervalMs()
    {
        return Long.getLong(SNAPSHOT_INTERVAL_MS_PROP_NAME, SNAPSHOT_INTERVAL_MS_DEFAULT);
    }

    public static long logRetentionMinMs()
    {
        return Long.getLong(LOG_RETENTION_MIN_MS_PROP_NAME, LOG_RETENTION_MIN_MS_DEFAULT);
    }

    public static int archiveSegmentLength()
    {
        return Integer.getInteger(ARCHIVE_SEGMENT_LENGTH_PROP_NAME, ARCHIVE_SEGMENT_LENGTH_DEFAULT);
    }

    public static int maxKeyLength()
    {
        return Integer.getInteger(MAX_KEY_LENGTH_PROP_NAME, MAX_KEY_LENGTH_DEFAULT);
    }

    public static int maxValueLength()
    {
        return Integer.getInteger(MAX_VALUE_LENGTH_PROP_NAME, MAX_VALUE_LENGTH_DEFAULT);
    }

    public static int maxMultiGetKeys()
    {
        return Integer.getInteger(MAX_MULTI_GET_KEYS_PROP_NAME, MAX_MULTI_GET_KEYS_DEFAULT);
    }

    public static int maxSessions()
    {
        return Integer.getInteger(MAX_SESSIONS_PROP_NAME, MAX_SESSIONS_DEFAULT);
    }

    public static long sessionIdleTimeoutMs()
    {
        return Long.getLong(SESSION_IDLE_TIMEOUT_MS_PROP_NAME, SESSION_IDLE_TIMEOUT_MS_DEFAULT);
    }

    public static int dedupMaxClients()
    {
        return Integer.getInteger(DEDUP_MAX_CLIENTS_PROP_NAME, DEDUP_MAX_CLIENTS_DEFAULT);
    }

    public static long snapshotLogBytes()
    {
        return Long.getLong(SNAPSHOT_LOG_BYTES_PROP_NAME, SNAPSHOT_LOG_BYTES_DEFAULT);
    }
}
