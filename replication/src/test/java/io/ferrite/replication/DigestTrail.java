package io.ferrite.replication;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares the members' digest trails ({@link StoreDigestPublisher#TRAIL_DIR_PROP_NAME}) of one group: at every log
 * position that more than one member (or one member twice, before and after a restart) recorded, the store digests
 * must agree. A divergence shows even when later writes healed it.
 */
final class DigestTrail
{
    private DigestTrail()
    {
    }

    /**
     * @param divergences receives one line per position where the recorded digests differ.
     * @return how many positions were recorded by at least two members or twice by one.
     */
    static int compare(final File dir, final int group, final List<String> divergences)
    {
        final Map<Long, Map<String, List<String>>> byPosition = new TreeMap<>();
        final File[] files = dir.listFiles((d, name) -> name.startsWith("digest-trail-g" + group + "-m"));
        for (final File file : null == files ? new File[0] : files)
        {
            final String member = file.getName().replace("digest-trail-g" + group + "-", "").replace(".txt", "");
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(file.toPath(), StandardCharsets.US_ASCII);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            for (final String line : lines)
            {
                final String[] parts = line.trim().split(" ");
                if (parts.length == 3)
                {
                    byPosition.computeIfAbsent(Long.parseLong(parts[0]), (p) -> new TreeMap<>())
                        .computeIfAbsent(member, (m) -> new ArrayList<>()).add(parts[1] + "/" + parts[2] + "entries");
                }
            }
        }
        int compared = 0;
        for (final Map.Entry<Long, Map<String, List<String>>> e : byPosition.entrySet())
        {
            final TreeSet<String> distinct = new TreeSet<>();
            int records = 0;
            for (final List<String> values : e.getValue().values())
            {
                distinct.addAll(values);
                records += values.size();
            }
            if (e.getValue().size() > 1 || records > 1)
            {
                compared++;
            }
            if (distinct.size() > 1)
            {
                divergences.add("position " + e.getKey() + ": " + e.getValue());
            }
        }
        return compared;
    }
}
