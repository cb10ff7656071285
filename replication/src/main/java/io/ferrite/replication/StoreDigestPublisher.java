package io.ferrite.replication;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.ferrite.engine.EntryVisitor;
import io.ferrite.engine.FerriteStore;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a digest of a member's store (its live entries: keys, values, expiry times) together with the log
 * position it was taken at, in two counters another process can read ({@link ClusterStatus#readDigests}), so
 * members can be compared at equal applied positions and any non-determinism shows.
 * <p>
 * The digest is order independent (a sum of per-entry hashes), so it does not depend on where an entry sits in the
 * table. Off by default: computing it visits every entry on the service thread, at most once per
 * {@link #INTERVAL_PROP_NAME} milliseconds and only when the applied position moved.
 * <p>
 * A trail for fault tests ({@link #TRAIL_DIR_PROP_NAME}, off by default): each time the applied log position crosses
 * a multiple of {@link #TRAIL_BYTES_PROP_NAME}, the digest after that message is appended to a file with its position.
 * Every member applies the same messages at the same positions, so the trails of all members can be compared line by
 * line afterwards and a divergence shows even if later writes heal it (the counters only show the latest digest).
 * <b>Note:</b> used on the service thread only; the counters are written in the order position = -1, digest,
 * position, so a reader that sees the same position before and after reading the digest has a consistent pair.
 */
final class StoreDigestPublisher implements AutoCloseable
{
    /** How often (at most) to recompute the digest, in milliseconds; 0 (the default) disables it. */
    public static final String INTERVAL_PROP_NAME = "ferrite.replication.digest.interval.ms";
    public static final long INTERVAL_MS_DEFAULT = 0;
    /** Directory of digest trail files ({@code digest-trail-g<group>-m<member>.txt}); unset (the default): none. */
    public static final String TRAIL_DIR_PROP_NAME = "ferrite.replication.digest.trail.dir";
    /** Log bytes between two trail points. */
    public static final String TRAIL_BYTES_PROP_NAME = "ferrite.replication.digest.trail.bytes";
    public static final long TRAIL_BYTES_DEFAULT = 16 * 1024;

    /** Aeron counter type of the digest; its key is the group id (int). */
    public static final int DIGEST_TYPE_ID = 7302;
    /** Aeron counter type of the log position the digest was taken at; key as for {@link #DIGEST_TYPE_ID}. */
    public static final int DIGEST_POSITION_TYPE_ID = 7303;

    private final long intervalNs;
    private final Counter digestCounter;
    private final Counter positionCounter;
    private final Hasher hasher = new Hasher();
    private long digestedPosition = -1;
    private long lastDigestNs;
    private final long trailBytes;
    private final PrintWriter trail;
    private long trailPosition = -1;

    StoreDigestPublisher(final Aeron aeron, final int group)
    {
        this(aeron, group, -1);
    }

    StoreDigestPublisher(final Aeron aeron, final int group, final int member)
    {
        trailBytes = Math.max(1, Long.getLong(TRAIL_BYTES_PROP_NAME, TRAIL_BYTES_DEFAULT));
        final String trailDir = System.getProperty(TRAIL_DIR_PROP_NAME);
        PrintWriter writer = null;
        if (null != trailDir && !trailDir.isEmpty())
        {
            try
            {
                writer = new PrintWriter(Files.newBufferedWriter(Path.of(trailDir, "digest-trail-g" + group + "-m" +
                    member + ".txt"), StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                    true);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot open the digest trail in " + trailDir, ex);
            }
        }
        trail = writer;
        intervalNs = TimeUnit.MILLISECONDS.toNanos(Long.getLong(INTERVAL_PROP_NAME, INTERVAL_MS_DEFAULT));
        if (intervalNs > 0)
        {
            digestCounter = addCounter(aeron, DIGEST_TYPE_ID, group, "Ferrite store digest: group=" + group);
            positionCounter = addCounter(
                aeron, DIGEST_POSITION_TYPE_ID, group, "Ferrite store digest position: group=" + group);
            positionCounter.setRelease(-1);
        }
        else
        {
            digestCounter = null;
            positionCounter = null;
        }
    }

    /**
     * Recompute the digest if enabled, the interval has passed and the applied position moved.
     *
     * @return 1 if a digest was computed, else 0.
     */
    int doWork(final FerriteStore store, final long logPosition, final long nowNs)
    {
        if (null == digestCounter || null == store || logPosition == digestedPosition ||
            nowNs - lastDigestNs < intervalNs)
        {
            return 0;
        }
        lastDigestNs = nowNs;
        digestedPosition = logPosition;
        positionCounter.setRelease(-1);
        digestCounter.setRelease(digest(store, hasher));
        positionCounter.setRelease(logPosition);
        return 1;
    }

    /**
     * After a message was applied at {@code position}: append a trail point if the position crossed a multiple of the
     * trail distance since the last message (every member crosses at the same messages).
     */
    void onApplied(final FerriteStore store, final long position)
    {
        if (null == trail || null == store)
        {
            return;
        }
        if (trailPosition >= 0 && position / trailBytes != trailPosition / trailBytes)
        {
            trail.println(position + " " + Long.toHexString(digest(store, hasher)) + " " + store.size());
        }
        trailPosition = position;
    }

    /**
     * The digest of {@code store}'s live entries; equal stores (same entries, values and expiry times) have equal
     * digests whatever their insertion order.
     */
    static long digest(final FerriteStore store)
    {
        return digest(store, new Hasher());
    }

    private static long digest(final FerriteStore store, final Hasher hasher)
    {
        hasher.sum = 0;
        final long count = store.forEach(hasher);
        return hasher.sum + mix(count);
    }

    public void close()
    {
        CloseHelper.quietCloseAll(digestCounter, positionCounter, trail);
    }

    private static Counter addCounter(final Aeron aeron, final int typeId, final int group, final String label)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[4]);
        key.putInt(0, group);
        final byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
        return aeron.addCounter(typeId, key, 0, 4, new UnsafeBuffer(labelBytes), 0, labelBytes.length);
    }

    /**
     * Murmur3's 64-bit finalizer: spreads every input bit over the result.
     */
    private static long mix(final long value)
    {
        long h = value;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static final class Hasher implements EntryVisitor
    {
        private static final long FNV_OFFSET = 0xcbf29ce484222325L;
        private static final long FNV_PRIME = 0x100000001b3L;

        long sum;

        public void visit(
            final DirectBuffer buffer,
            final int keyOffset,
            final int keyLength,
            final int valueOffset,
            final int valueLength,
            final long expireAt)
        {
            long h = FNV_OFFSET;
            h = bytes(h, buffer, keyOffset, keyLength);
            h = (h ^ keyLength) * FNV_PRIME;
            h = bytes(h, buffer, valueOffset, valueLength);
            h = (h ^ valueLength) * FNV_PRIME;
            h = (h ^ expireAt) * FNV_PRIME;
            sum += mix(h);
        }

        private static long bytes(final long seed, final DirectBuffer buffer, final int offset, final int length)
        {
            long h = seed;
            for (int i = 0; i < length; i++)
            {
                h = (h ^ (buffer.getByte(offset + i) & 0xFF)) * FNV_PRIME;
            }
            return h;
        }
    }
}
