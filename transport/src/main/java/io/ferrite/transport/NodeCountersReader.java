package io.ferrite.transport;

import io.aeron.CncFileDescriptor;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a running node's counters from its media driver's counters file, from any process on the same machine,
 * without connecting to the node (as AeronStat does for the driver's own counters).
 */
public final class NodeCountersReader
{
    private NodeCountersReader()
    {
    }

    /**
     * The Ferrite node counters in the driver directory {@code aeronDir}, by label (empty if no node uses it).
     *
     * @throws IllegalStateException if there is no media driver there.
     */
    public static Map<String, Long> read(final String aeronDir)
    {
        final File cncFile = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cncFile.exists())
        {
            throw new IllegalStateException("no media driver in " + aeronDir + " (no " + cncFile.getName() + ")");
        }
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, "cnc");
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
            CncFileDescriptor.checkVersion(metaData.getInt(CncFileDescriptor.cncVersionOffset(0)));
            final CountersReader reader = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(cnc, metaData),
                CncFileDescriptor.createCountersValuesBuffer(cnc, metaData));
            final Map<String, Long> counters = new LinkedHashMap<>();
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (typeId >= NodeCounters.TYPE_ID_BASE && typeId < NodeCounters.TYPE_ID_BASE +
                    NodeCounters.LABELS.length && label.startsWith(NodeCounters.LABEL_PREFIX))
                {
                    counters.merge(label.substring(NodeCounters.LABEL_PREFIX.length()),
                        reader.getCounterValue(counterId), Long::sum);
                }
            });
            return counters;
        }
        finally
        {
            IoUtil.unmap(cnc);
        }
    }
}
