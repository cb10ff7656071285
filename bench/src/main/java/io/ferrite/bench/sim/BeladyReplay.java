package io.ferrite.bench.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Bélády's clairvoyant policy, the ceiling: on a miss with a full cache, the entry (the requested key included,
 * which is then simply not admitted) whose next request lies farthest in the future leaves. Offline: the next
 * use of every request is computed first by one backward pass; a max-heap of (next use, key) with lazy deletion
 * then finds the farthest in O(log n).
 */
final class BeladyReplay implements ReplayPolicy
{
    private static final int NEVER = Integer.MAX_VALUE;

    public String name()
    {
        return "Belady (optimal)";
    }

    public long replay(final Trace trace, final int capacity)
    {
        final long[] keys = trace.keys;
        final int n = keys.length;
        final int[] ids = new int[n];
        final Map<Long, Integer> idOf = new HashMap<>();
        for (int i = 0; i < n; i++)
        {
            ids[i] = idOf.computeIfAbsent(keys[i], k -> idOf.size());
        }
        final int[] nextUse = new int[n];
        final int[] seenAt = new int[idOf.size()];
        Arrays.fill(seenAt, NEVER);
        for (int i = n - 1; i >= 0; i--)
        {
            nextUse[i] = seenAt[ids[i]];
            seenAt[ids[i]] = i;
        }

        final int[] cachedNext = seenAt;
        Arrays.fill(cachedNext, -1);
        final long[] heap = new long[n + 1];
        int heapSize = 0;
        int size = 0;
        long hits = 0;
        for (int i = 0; i < n; i++)
        {
            final int id = ids[i];
            final int next = nextUse[i];
            if (cachedNext[id] >= 0)
            {
                hits++;
            }
            else if (size < capacity)
            {
                size++;
            }
            else
            {
                while (true)
                {
                    final long top = heap[0];
                    final int topId = (int)top;
                    if (cachedNext[topId] == (int)(top >>> 32))
                    {
                        break;
                    }
                    heapSize = pop(heap, heapSize);
                }
                final int farthest = (int)(heap[0] >>> 32);
                if (next >= farthest)
                {
                    continue;
                }
                cachedNext[(int)heap[0]] = -1;
                heapSize = pop(heap, heapSize);
            }
            cachedNext[id] = next;
            heapSize = push(heap, heapSize, ((long)next << 32) | id);
        }
        return hits;
    }

    private static int push(final long[] heap, final int size, final long value)
    {
        int i = size;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (heap[parent] >= value)
            {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = value;
        return size + 1;
    }

    private static int pop(final long[] heap, final int size)
    {
        final int last = size - 1;
        final long value = heap[last];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= last)
            {
                break;
            }
            if (child + 1 < last && heap[child + 1] > heap[child])
            {
                child++;
            }
            if (heap[child] <= value)
            {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = value;
        return last;
    }
}
