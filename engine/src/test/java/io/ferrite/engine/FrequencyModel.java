package io.ferrite.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;

/**
 * A plain reference for LFU and MFU as documented by {@link EvictionPolicyType} and {@link FrequencyPolicy}: 32
 * levels, each in recency order; an insert goes to level 1, a hit (or an update) moves an entry up one level;
 * every {@code agingPeriod} inserts and hits, levels {@code 2k} and {@code 2k+1} merge into level {@code k} with
 * the former {@code 2k} entries on the eviction side; the victim is the least recently placed entry of the lowest
 * (LFU) or highest (MFU) non-empty level.
 */
final class FrequencyModel
{
    private final boolean mostFrequent;
    private final long agingPeriod;
    /** Per level, most recently placed first. */
    private final List<LinkedList<String>> levels = new ArrayList<>();
    private final Map<String, Integer> levelOf = new HashMap<>();
    private long ops;

    FrequencyModel(final boolean mostFrequent, final long agingPeriod)
    {
        this.mostFrequent = mostFrequent;
        this.agingPeriod = agingPeriod;
        for (int i = 0; i < FrequencyPolicy.LEVELS; i++)
        {
            levels.add(new LinkedList<>());
        }
    }

    int size()
    {
        return levelOf.size();
    }

    boolean contains(final String key)
    {
        return levelOf.containsKey(key);
    }

    void insert(final String key)
    {
        place(key, FrequencyPolicy.START_LEVEL);
        tick();
    }

    void access(final String key)
    {
        final int level = levelOf.get(key);
        levels.get(level).remove(key);
        place(key, Math.min(FrequencyPolicy.MAX_LEVEL, level + 1));
        tick();
    }

    void remove(final String key)
    {
        final Integer level = levelOf.remove(key);
        if (null != level)
        {
            levels.get(level).remove(key);
        }
    }

    String victim()
    {
        for (int i = 0; i < FrequencyPolicy.LEVELS; i++)
        {
            final LinkedList<String> list = levels.get(mostFrequent ? FrequencyPolicy.MAX_LEVEL - i : i);
            if (!list.isEmpty())
            {
                return list.getLast();
            }
        }
        return null;
    }

    /**
     * Keys of {@code level}, least recently placed first.
     */
    List<String> eldestFirst(final int level)
    {
        final List<String> keys = new ArrayList<>(levels.get(level));
        Collections.reverse(keys);
        return keys;
    }

    int level(final String key)
    {
        return levelOf.get(key);
    }

    private void place(final String key, final int level)
    {
        levels.get(level).addFirst(key);
        levelOf.put(key, level);
    }

    private void tick()
    {
        if (++ops >= agingPeriod)
        {
            age();
        }
    }

    private void age()
    {
        final List<LinkedList<String>> aged = new ArrayList<>();
        for (int level = 0; level < FrequencyPolicy.LEVELS; level++)
        {
            final LinkedList<String> merged = new LinkedList<>();
            if (level < FrequencyPolicy.LEVELS / 2)
            {
                merged.addAll(levels.get(2 * level + 1));
                merged.addAll(levels.get(2 * level));
            }
            aged.add(merged);
        }
        for (int level = 0; level < FrequencyPolicy.LEVELS; level++)
        {
            levels.set(level, aged.get(level));
            for (final String key : aged.get(level))
            {
                levelOf.put(key, level);
            }
        }
        ops = 0;
    }
}
