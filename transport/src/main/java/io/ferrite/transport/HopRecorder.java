package io.ferrite.transport;

import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.PutRequestDecoder;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.HighResolutionClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Diagnostic mode of the latency work: where a replicated PUT spends its time between the client and the answer.
 * Off unless {@code -Dferrite.diagnostics.hops.file=PREFIX} is set; then the consensus module runs on a
 * nanosecond cluster clock and every member's service appends one 40-byte record per PUT whose value starts with
 * an 8-byte little-endian epoch-nanosecond stamp (the client's send time) to the memory-mapped file
 * {@code PREFIX-group-G-member-M.hops}:
 * <pre>
 *   0  client send stamp (epoch ns, from the value)
 *   8  cluster timestamp of the log entry: when the leader's consensus module appended it (epoch ns)
 *  16  service apply start (epoch ns, this member)
 *  24  service apply end, the answer offered to egress on the leader (epoch ns)
 *  32  role when applied: 1 leader, 0 follower
 * </pre>
 * All processes on one machine read the same realtime clock ({@link HighResolutionClock#epochNanos()}), so the
 * differences are hops: client -> leader consensus module (ingress), append -> apply (replication, commit, service
 * wake), apply, answer -> client. The bench tool {@code HopBreakdown} joins the files with the client's receive
 * times. A single node's store agent ({@link #forNode(String)}, file {@code PREFIX-AGENT.hops}) records the
 * same fields, its receive time standing in for the log time. Zero allocation per message; a full file stops
 * recording (the count in the first 8 bytes says how many).
 */
public final class HopRecorder
{
    public static final String FILE_PROP_NAME = "ferrite.diagnostics.hops.file";
    public static final String CAPACITY_PROP_NAME = "ferrite.diagnostics.hops.capacity";
    static final int RECORD_LENGTH = 40;
    static final int HEADER_LENGTH = 64;

    private static final HopRecorder DISABLED = new HopRecorder();

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final PutRequestDecoder put = new PutRequestDecoder();
    private final UnsafeBuffer value = new UnsafeBuffer(0, 0);
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer records;
    private final int capacity;
    private int count;
    private int open = -1;

    private HopRecorder()
    {
        mapped = null;
        records = null;
        capacity = 0;
    }

    private HopRecorder(final File file, final int capacity)
    {
        this.capacity = capacity;
        IoUtil.deleteIfExists(file);
        mapped = IoUtil.mapNewFile(file, HEADER_LENGTH + (long)capacity * RECORD_LENGTH, false);
        records = new UnsafeBuffer(mapped);
    }

    public static boolean enabled()
    {
        return null != System.getProperty(FILE_PROP_NAME);
    }

    /**
     * The recorder for one member of one group: a no-op unless the diagnostic mode is on.
     */
    public static HopRecorder forMember(final int group, final int member)
    {
        return forName("-group-" + group + "-member-" + member);
    }

    /**
     * The recorder of one store agent of a single node: a no-op unless the diagnostic mode is on.
     */
    public static HopRecorder forNode(final String agentName)
    {
        return forName("-" + agentName.replaceAll("[^A-Za-z0-9_.-]", "_"));
    }

    private static HopRecorder forName(final String suffix)
    {
        final String prefix = System.getProperty(FILE_PROP_NAME);
        if (null == prefix)
        {
            return DISABLED;
        }
        return new HopRecorder(new File(prefix + suffix + ".hops"), Integer.getInteger(CAPACITY_PROP_NAME, 1 << 20));
    }

    /**
     * Called as a log message reaches the service; remembers it if it is a stamped PUT.
     */
    public void begin(
        final long clusterTimestamp,
        final TimeUnit clusterTimeUnit,
        final boolean leader,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (null == records || count >= capacity || length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        header.wrap(buffer, offset);
        if (PutRequestDecoder.TEMPLATE_ID != header.templateId() ||
            PutRequestDecoder.SCHEMA_ID != header.schemaId())
        {
            return;
        }
        final long now = HighResolutionClock.epochNanos();
        put.wrapAndApplyHeader(buffer, offset, header);
        put.skipKey();
        if (put.valueLength() < Long.BYTES)
        {
            return;
        }
        put.wrapValue(value);
        open(value.getLong(0, ByteOrder.LITTLE_ENDIAN), clusterTimeUnit.toNanos(clusterTimestamp), now, leader);
    }

    /**
     * Called as a single node is about to apply a PUT whose value is at {@code valueOffset} in {@code buffer}.
     */
    public void beginPut(final DirectBuffer buffer, final int valueOffset, final int valueLength)
    {
        if (null != records && count < capacity && valueLength >= Long.BYTES)
        {
            final long now = HighResolutionClock.epochNanos();
            open(buffer.getLong(valueOffset, ByteOrder.LITTLE_ENDIAN), now, now, true);
        }
    }

    private void open(final long stamp, final long logTimeNs, final long applyNs, final boolean leader)
    {
        final int at = HEADER_LENGTH + count * RECORD_LENGTH;
        records.putLong(at, stamp, ByteOrder.LITTLE_ENDIAN);
        records.putLong(at + 8, logTimeNs, ByteOrder.LITTLE_ENDIAN);
        records.putLong(at + 16, applyNs, ByteOrder.LITTLE_ENDIAN);
        records.putLong(at + 32, leader ? 1 : 0, ByteOrder.LITTLE_ENDIAN);
        open = at;
    }

    /**
     * Called after the service handled the message (on the leader: after the answer was offered to egress).
     */
    public void end()
    {
        if (open >= 0)
        {
            records.putLong(open + 24, HighResolutionClock.epochNanos(), ByteOrder.LITTLE_ENDIAN);
            open = -1;
            count++;
            records.putLongOrdered(0, count);
        }
    }

    public void close()
    {
        if (null != mapped)
        {
            mapped.force();
            IoUtil.unmap(mapped);
        }
    }
}
