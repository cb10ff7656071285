package io.ferrite.engine;

import org.agrona.concurrent.SystemEpochClock;

import java.io.File;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The child process of {@link CrashRecoveryTest}: {@code write <dir> <seed> <policy>} opens a persistent store and
 * writes,
 * updates, reads and deletes self-validating values forever (with evictions), printing {@code progress <ops>}
 * every {@link #PROGRESS_EVERY} operations, until it is killed; {@code probe <dir>} tries to open the store and
 * prints {@code opened} or {@code refused <exception>: <message>}.
 */
public final class CrashWriter
{
    static final int PROGRESS_EVERY = 500;
    static final int KEY_SPACE = 3000;
    static final long CAPACITY = 512 * 1024;
    static final long MAX_ENTRIES = 1500;
    static final int SEGMENT_SIZE = 8192;
    static final long DAY_MS = 86_400_000L;
    private static final int HEADER = 4 + 8 + 4;
    private static final int TRAILER = 8;

    private CrashWriter()
    {
    }

    public static void main(final String[] args)
    {
        final PrintStream out = System.out;
        final File dir = new File(args[1]);
        if ("probe".equals(args[0]))
        {
            try (FerriteStore store = FerriteStore.open(new StoreContext().dir(dir)))
            {
                out.println("opened " + store.size());
            }
            catch (final RuntimeException ex)
            {
                out.println("refused " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
            }
            out.flush();
            return;
        }

        final Random random = new Random(Long.parseLong(args[2]));
        final long[] versions = new long[KEY_SPACE];
        final EvictionPolicyType policy = EvictionPolicyType.valueOf(args[3]);
        try (FerriteStore store = FerriteStore.open(storeContext(dir).policy(policy).clock(SystemEpochClock.INSTANCE)))
        {
            out.println("opened");
            out.flush();
            for (long ops = 1; ; ops++)
            {
                final int id = random.nextInt(KEY_SPACE);
                final byte[] key = key(id);
                final int dice = random.nextInt(100);
                if (dice < 60)
                {
                    final int length = random.nextInt(8) == 0 ? 2000 + random.nextInt(4000) : random.nextInt(300);
                    final long version = ++versions[id];
                    store.put(key, value(id, version, length), ttlFor(id, version));
                }
                else if (dice < 75)
                {
                    store.delete(key);
                }
                else
                {
                    final byte[] value = store.get(key);
                    if (null != value && !isValid(id, value))
                    {
                        out.println("invalid value for key " + id + " while running");
                        out.flush();
                        System.exit(3);
                    }
                }
                if (0 == ops % PROGRESS_EVERY)
                {
                    out.println("progress " + ops);
                    out.flush();
                }
            }
        }
    }

    /**
     * The settings of the child's store; the policy is left to the files (or set by the caller).
     */
    static StoreContext storeContext(final File dir)
    {
        return new StoreContext().dir(dir).capacityBytes(CAPACITY).maxEntries(MAX_ENTRIES).segmentSize(SEGMENT_SIZE);
    }

    /**
     * The TTL a version of a key is written with: none for three in four, else a whole number of days that names the
     * version, so an expiry left over from another version (or missing) is recognised after a crash.
     */
    static long ttlFor(final int id, final long version)
    {
        return 0 == (id + version) % 4 ? (version % 1000 + 1) * DAY_MS : 0;
    }

    static byte[] key(final int id)
    {
        return StoreProbe.bytes("key-" + id);
    }

    /**
     * A value that proves itself: key id, version, payload length, a payload derived from the three, and a CRC32
     * of everything before it.
     */
    static byte[] value(final int id, final long version, final int payloadLength)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(HEADER + payloadLength + TRAILER);
        buffer.putInt(id).putLong(version).putInt(payloadLength);
        final Random payload = new Random(id * 1_000_003L + version);
        for (int i = 0; i < payloadLength; i++)
        {
            buffer.put((byte)payload.nextInt());
        }
        buffer.putLong(crc(buffer.array(), HEADER + payloadLength));
        return buffer.array();
    }

    static boolean isValid(final int id, final byte[] value)
    {
        if (value.length < HEADER + TRAILER)
        {
            return false;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(value);
        final int storedId = buffer.getInt();
        final long version = buffer.getLong();
        final int payloadLength = buffer.getInt();
        if (storedId != id || version < 1 || payloadLength != value.length - HEADER - TRAILER)
        {
            return false;
        }
        return buffer.getLong(HEADER + payloadLength) == crc(value, HEADER + payloadLength) &&
            Arrays.equals(value, value(id, version, payloadLength));
    }

    private static long crc(final byte[] bytes, final int length)
    {
        final CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
