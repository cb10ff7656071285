package io.ferrite.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for partition tests, made with iproute2 only (no iptables, no tc): one namespace per member,
 * each joined by a veth pair to a bridge in the test's own namespace, where the test JVM (the clients) has an
 * address too. A link from member {@code a} to member {@code b} is cut by giving {@code a} a permanent neighbour
 * entry for {@code b}'s address with a MAC nobody owns: {@code a}'s packets still leave (so its sends do not fail),
 * the bridge floods them, and every interface discards them; the clients' paths are untouched. Healing deletes the
 * entry (ARP resolves {@code b} again). Cuts are one way, so asymmetric partitions are possible.
 * <p>
 * Needs root and {@code ip}; {@link #unavailableReason()} says why not. Everything made is removed by
 * {@link #close()}, also after a failure; names carry the test JVM's process id so parallel runs do not collide.
 */
final class NetworkLab implements AutoCloseable
{
    private static final String BOGUS_MAC = "02:00:00:de:ad:01";

    private final int members;
    private final String tag;
    private final String subnet;
    private final List<String> namespaces = new ArrayList<>();
    private final boolean[][] cut;
    private String bridge;

    NetworkLab(final int members)
    {
        this.members = members;
        final long pid = ProcessHandle.current().pid();
        tag = Long.toString(pid % 100_000);
        subnet = "10.213." + (pid % 250 + 1);
        cut = new boolean[members][members];
        try
        {
            bridge = "fbr" + tag;
            ip("link", "add", bridge, "type", "bridge");
            ip("addr", "add", clientHost() + "/24", "dev", bridge);
            ip("link", "set", bridge, "up");
            for (int m = 0; m < members; m++)
            {
                final String ns = "fns" + tag + "-" + m;
                ip("netns", "add", ns);
                namespaces.add(ns);
                final String outside = "fvh" + tag + m;
                final String inside = "fvn" + tag + m;
                ip("link", "add", outside, "type", "veth", "peer", "name", inside);
                ip("link", "set", inside, "netns", ns);
                ip("link", "set", outside, "master", bridge);
                ip("link", "set", outside, "up");
                ip("-n", ns, "link", "set", "lo", "up");
                ip("-n", ns, "addr", "add", host(m) + "/24", "dev", inside);
                ip("-n", ns, "link", "set", inside, "up");
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Why namespaces cannot be made here, or null when they can.
     */
    static String unavailableReason()
    {
        if (!"Linux".equals(System.getProperty("os.name")))
        {
            return "network namespaces need Linux";
        }
        final String probe = "fprobe" + ProcessHandle.current().pid() % 100_000;
        try
        {
            run(List.of("ip", "netns", "add", probe));
        }
        catch (final RuntimeException ex)
        {
            return "cannot create a network namespace (needs root and iproute2): " + ex.getMessage();
        }
        run(List.of("ip", "netns", "del", probe));
        return null;
    }

    /**
     * Member {@code m}'s address, inside its namespace.
     */
    String host(final int m)
    {
        return subnet + "." + (m + 1);
    }

    /**
     * The test JVM's address on the bridge (clients' egress).
     */
    String clientHost()
    {
        return subnet + ".254";
    }

    /**
     * The command prefix that runs a process inside member {@code m}'s namespace (exec'd in place).
     */
    List<String> launcher(final int m)
    {
        return List.of("ip", "netns", "exec", namespaces.get(m));
    }

    /**
     * Drop everything member {@code from} sends to member {@code to} (one way).
     */
    void cut(final int from, final int to)
    {
        if (!cut[from][to])
        {
            ip("-n", namespaces.get(from), "neigh", "replace", host(to), "lladdr", BOGUS_MAC, "nud", "permanent",
                "dev", "fvn" + tag + from);
            cut[from][to] = true;
        }
    }

    /**
     * Cut both ways between {@code m} and every other member.
     */
    void isolate(final int m)
    {
        for (int o = 0; o < members; o++)
        {
            if (o != m)
            {
                cut(m, o);
                cut(o, m);
            }
        }
    }

    /**
     * Restore every cut link.
     */
    void healAll()
    {
        for (int from = 0; from < members; from++)
        {
            for (int to = 0; to < members; to++)
            {
                if (cut[from][to])
                {
                    ip("-n", namespaces.get(from), "neigh", "del", host(to), "dev", "fvn" + tag + from);
                    cut[from][to] = false;
                }
            }
        }
    }

    public void close()
    {
        for (final String ns : namespaces)
        {
            quietly(List.of("ip", "netns", "del", ns));
        }
        namespaces.clear();
        if (null != bridge)
        {
            quietly(List.of("ip", "link", "del", bridge));
            bridge = null;
        }
    }

    private static void ip(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        run(command);
    }

    private static void quietly(final List<String> command)
    {
        try
        {
            run(command);
        }
        catch (final RuntimeException ignore)
        {
            // best effort while cleaning up
        }
    }

    private static void run(final List<String> command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output;
            if (!process.waitFor(90, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (0 != process.exitValue())
            {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() +
                    ": " + output);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
