package io.ferrite.bench.sim;

import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * A recorded request stream: the keys of a trace file, in order, read into one {@code long[]}.
 * <p>
 * Formats (see {@code traces/README.md}), chosen by file name: the LIRS traces ({@code *.trace.gz} beside
 * {@code README.lirs}) are gzip text with one decimal key per line and {@code *} breakpoint lines to skip;
 * {@code address_*} is gzip text {@code <op> 0x<hex address> <n>} keyed by the address; {@code cache2k_*} is xz
 * with big-endian 32-bit keys; {@code scarab-*} is xz and {@code corda_*} gzip with big-endian 64-bit keys.
 * Any other name is read as decimal lines, unless a {@link Format} is given. Files ending {@code .gz} or {@code .xz}
 * are decompressed; others (for example {@code name.trace}) are read as they are.
 */
final class Trace
{
    /**
     * How a trace file is encoded.
     */
    enum Format
    {
        /** By file name, as described above. */
        AUTO,
        /** Text, one decimal key per line; blank lines and {@code *} lines skipped. */
        LIRS,
        /** Big-endian unsigned 32-bit keys back to back. */
        U32,
        /** Big-endian 64-bit keys back to back. */
        U64,
        /** Text {@code <op> 0x<hex address> ...}; the key is the address. */
        ADDRESS
    }

    final String name;
    final long[] keys;
    final int uniqueKeys;

    private Trace(final String name, final long[] keys)
    {
        this.name = name;
        this.keys = keys;
        final long[] sorted = keys.clone();
        Arrays.sort(sorted);
        int unique = 0;
        for (int i = 0; i < sorted.length; i++)
        {
            if (0 == i || sorted[i] != sorted[i - 1])
            {
                unique++;
            }
        }
        this.uniqueKeys = unique;
    }

    /**
     * A trace made in memory (tests, generated workloads).
     */
    static Trace of(final String name, final long[] keys)
    {
        return new Trace(name, keys.clone());
    }

    /**
     * The trace's short name: the file name without directory, {@code .trace}, {@code .gz} or {@code .xz}.
     */
    static String nameOf(final File file)
    {
        String name = file.getName();
        for (final String suffix : new String[]{ ".gz", ".xz", ".trace" })
        {
            if (name.endsWith(suffix))
            {
                name = name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }

    /**
     * The same request stream with every key renamed by a bijection of the 64-bit keys: an odd multiplier and
     * an offset derived from {@code version}. Recency, frequency and reuse distances are unchanged, so LRU and
     * Bélády score exactly as on the original; only hash-based structures (a frequency sketch's collisions, a
     * hash table's layout) see different keys. Version 0 is the trace itself.
     */
    Trace rekeyed(final int version)
    {
        if (0 == version)
        {
            return this;
        }
        final long offset = version * 0xD1B5_4A32_D192_ED03L;
        final long[] renamed = new long[keys.length];
        for (int i = 0; i < keys.length; i++)
        {
            renamed[i] = keys[i] * 0x9E37_79B9_7F4A_7C15L + offset;
        }
        return new Trace(name, renamed);
    }

    /**
     * Whether {@code file} is a trace in one of the known formats.
     */
    static boolean isTrace(final File file)
    {
        final String name = file.getName();
        return name.endsWith(".gz") || name.endsWith(".xz") || name.endsWith(".trace");
    }

    /**
     * Read a whole trace file.
     *
     * @throws IOException if the file cannot be read or is not in the format its name implies.
     */
    static Trace read(final File file) throws IOException
    {
        return read(file, Format.AUTO);
    }

    /**
     * Read a whole trace file in the given format ({@link Format#AUTO}: by its name).
     *
     * @throws IOException if the file cannot be read or is not in that format.
     */
    static Trace read(final File file, final Format format) throws IOException
    {
        final LongList keys = new LongList();
        try (InputStream in = open(file))
        {
            switch (Format.AUTO == format ? formatOf(file.getName()) : format)
            {
                case U32:
                    readBinary(in, keys, 4);
                    break;
                case U64:
                    readBinary(in, keys, 8);
                    break;
                case ADDRESS:
                    readAddresses(in, keys);
                    break;
                default:
                    readDecimalLines(file, in, keys);
                    break;
            }
        }
        return new Trace(nameOf(file), keys.toArray());
    }

    private static Format formatOf(final String name)
    {
        if (name.startsWith("cache2k_"))
        {
            return Format.U32;
        }
        if (name.startsWith("scarab") || name.startsWith("corda_"))
        {
            return Format.U64;
        }
        return name.startsWith("address_") ? Format.ADDRESS : Format.LIRS;
    }

    private static InputStream open(final File file) throws IOException
    {
        final InputStream raw = new BufferedInputStream(new FileInputStream(file), 1 << 16);
        if (file.getName().endsWith(".xz"))
        {
            return new BufferedInputStream(new XZInputStream(raw), 1 << 16);
        }
        if (file.getName().endsWith(".gz"))
        {
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return raw;
    }

    private static void readBinary(final InputStream in, final LongList keys, final int width) throws IOException
    {
        final DataInputStream data = new DataInputStream(in);
        while (true)
        {
            try
            {
                keys.add(4 == width ? data.readInt() & 0xFFFF_FFFFL : data.readLong());
            }
            catch (final EOFException ex)
            {
                return;
            }
        }
    }

    private static void readDecimalLines(final File file, final InputStream in, final LongList keys) throws IOException
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        String line;
        long number = 0;
        while (null != (line = reader.readLine()))
        {
            number++;
            line = line.trim();
            if (!line.isEmpty() && !"*".equals(line))
            {
                try
                {
                    keys.add(Long.parseLong(line));
                }
                catch (final NumberFormatException ex)
                {
                    throw new IOException(file + " line " + number + ": '" +
                        (line.length() > 40 ? line.substring(0, 40) + "..." : line) +
                        "' is not a decimal key (one key per line; give --format for other encodings)", ex);
                }
            }
        }
    }

    private static void readAddresses(final InputStream in, final LongList keys) throws IOException
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        String line;
        while (null != (line = reader.readLine()))
        {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2)
            {
                final String address = fields[1];
                keys.add(Long.parseUnsignedLong(address.startsWith("0x") ? address.substring(2) : address, 16));
            }
        }
    }

    /**
     * A growable primitive list, so that a 5M-request trace costs 40 MB and not 100 MB of boxes.
     */
    private static final class LongList
    {
        private long[] values = new long[1 << 16];
        private int size;

        void add(final long value)
        {
            if (size == values.length)
            {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray()
        {
            return Arrays.copyOf(values, size);
        }
    }
}
