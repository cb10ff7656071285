package io.ferrite.bench.latency;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command line of the harness: {@code --name=value} pairs, each with a default (see {@link #usage()}).
 */
final class HarnessOptions
{
    private static final String[][] DEFAULTS = {
        { "targets", "ferrite,redis,replicated", "targets, in the order they run: ferrite, redis, replicated" },
        { "modes", "async", "modes to run: async (open loop, 1 sender, async API), sync (open loop, blocking " +
            "threads), " +
            "blocking (closed loop: blocking threads calling back to back, measures calls/s)" },
        { "rate", "10000", "requests per second of the open-loop runs" },
        { "warmup", "5", "seconds of warm-up (not recorded) before each open-loop run" },
        { "duration", "20", "seconds recorded per open-loop run" },
        { "get-ratio", "0.9", "share of GETs; the rest are PUTs" },
        { "value-size", "100", "value size in bytes" },
        { "keys", "100000", "number of distinct keys (all preloaded; drawn uniformly)" },
        { "sync-threads", "1", "threads of the sync and blocking modes (sync: sharing the schedule)" },
        { "max-in-flight", "10000", "async mode: most requests outstanding before the sender waits" },
        { "saturation-window", "64", "closed-loop saturation: requests kept in flight; 0 skips saturation" },
        { "saturation-warmup", "3", "seconds of warm-up of the saturation run" },
        { "saturation-duration", "10", "seconds recorded of the saturation run" },
        { "redis", "127.0.0.1:6379", "Redis address (must be running; only keys with the prefix are touched)" },
        { "key-prefix", "ferrite-latency:", "prefix of every key" },
        { "node-port", "45456", "UDP port of the single node" },
        { "port-base", "27000", "first port of the replica group (uses port-base .. port-base + 999)" },
        { "capacity-bytes", "268435456", "store capacity of the node and of each member" },
        { "child-jvm-flags", "-Xms256m,-Xmx256m,-XX:+UseSerialGC", "extra flags of the node/member JVMs (comma " +
            "separated; the jdk.internal.misc export is always added)" },
        { "out", "perf-results/latency", "output directory" },
        { "seed", "42", "seed of the request sequence" },
    };

    private final Map<String, String> values = new LinkedHashMap<>();
    private final String commandLine;

    HarnessOptions(final String[] args)
    {
        for (final String[] d : DEFAULTS)
        {
            values.put(d[0], d[1]);
        }
        for (final String arg : args)
        {
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                throw new IllegalArgumentException(usage());
            }
            final int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0 || !values.containsKey(arg.substring(2, eq)))
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "'\n" + usage());
            }
            values.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        commandLine = String.join(" ", args);
    }

    static String usage()
    {
        final StringBuilder sb = new StringBuilder("LatencyHarness [--name=value ...]\n");
        for (final String[] d : DEFAULTS)
        {
            sb.append(String.format("  --%-20s %s (default %s)%n", d[0], d[2], d[1]));
        }
        return sb.toString();
    }

    String commandLine()
    {
        return commandLine;
    }

    Map<String, String> all()
    {
        return values;
    }

    String string(final String name)
    {
        return values.get(name);
    }

    List<String> list(final String name)
    {
        final List<String> list = new ArrayList<>();
        for (final String s : values.get(name).split(","))
        {
            if (!s.isBlank())
            {
                list.add(s.trim());
            }
        }
        return list;
    }

    int integer(final String name)
    {
        return Integer.parseInt(values.get(name));
    }

    long longValue(final String name)
    {
        return Long.parseLong(values.get(name));
    }

    double decimal(final String name)
    {
        return Double.parseDouble(values.get(name));
    }

    List<String> childJvmFlags()
    {
        final List<String> flags = new ArrayList<>(
            Arrays.asList("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
        flags.addAll(list("child-jvm-flags"));
        return flags;
    }
}
