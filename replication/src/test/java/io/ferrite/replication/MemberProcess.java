package io.ferrite.replication;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A cluster member running as its own JVM ({@link ReplicaNodeMain}), for system tests that kill and restart
 * members. Output goes to a log file in the member's directory and is scanned for the ready line.
 */
public final class MemberProcess implements AutoCloseable
{
    private final int member;
    private final GroupTopology topology;
    private final File dir;
    private final int[] groups;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> properties = new ArrayList<>();
    private final List<String> launcher = new ArrayList<>();
    private Process process;

    public MemberProcess(final int member, final GroupTopology topology, final File dir, final int... groups)
    {
        this.member = member;
        this.topology = topology;
        this.dir = dir;
        this.groups = groups.clone();
        TestPorts.requireOutsideEphemeralRange(topology, groups);
    }

    /**
     * A system property for the member's JVM (applies from the next start).
     */
    public MemberProcess property(final String name, final Object value)
    {
        properties.add("-D" + name + "=" + value);
        return this;
    }

    /**
     * A raw JVM option for the member's JVM, such as {@code -XX:ErrorFile=...} (applies from the next start).
     */
    public MemberProcess jvmOption(final String option)
    {
        properties.add(option);
        return this;
    }

    /**
     * A command the member's JVM is started under, such as {@code ip netns exec <ns>} (it must exec the JVM in
     * place, so the process id is the JVM's and signals reach it); applies from the next start.
     */
    public MemberProcess launcher(final List<String> command)
    {
        launcher.clear();
        launcher.addAll(command);
        return this;
    }

    public int member()
    {
        return member;
    }

    public File dir()
    {
        return dir;
    }

    /**
     * Start the process and wait for its ready line.
     *
     * @param fresh delete the member's state first.
     */
    public MemberProcess start(final boolean fresh, final long timeoutMs)
    {
        final StringBuilder groupList = new StringBuilder();
        for (final int g : groups)
        {
            groupList.append(groupList.length() == 0 ? "" : ",").append(g);
        }
        final List<String> command = new ArrayList<>(launcher);
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dferrite.node.member=" + member);
        command.add("-Dferrite.node.hosts=" + topology.hosts());
        command.add("-Dferrite.node.groups=" + groupList);
        command.add("-Dferrite.node.dir=" + dir.getPath());
        command.add("-Dferrite.node.delete.on.start=" + fresh);
        command.add("-Dferrite.node.exit.with.parent=true");
        command.add("-Dferrite.replication.port.base=" + topology.portBase());
        command.add("-Dferrite.engine.capacity.bytes=" + (16L * 1024 * 1024));
        command.addAll(properties);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ReplicaNodeMain.class.getName());
        lines.clear();
        try
        {
            dir.mkdirs();
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Process started = process;
        final File logDir = new File("target/member-logs");
        logDir.mkdirs();
        final File log = new File(logDir, dir.getParentFile().getName() + "-" + topology.portBase() + "-member-" +
            member + ".log");
        final Thread reader = new Thread(() -> pump(started, log), "member-" + member + "-output");
        reader.setDaemon(true);
        reader.start();
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (lines.stream().noneMatch(line -> line.startsWith("FERRITE-NODE-READY")))
        {
            if (!started.isAlive())
            {
                throw new IllegalStateException("member " + member + " exited with " + started.exitValue() +
                    " before it was ready:\n" + String.join("\n", lines));
            }
            if (System.currentTimeMillis() > deadline)
            {
                throw new IllegalStateException("member " + member + " not ready in " + timeoutMs + " ms:\n" +
                    String.join("\n", lines));
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
        return this;
    }

    /**
     * SIGKILL: no shutdown hooks, no clean close.
     */
    public void kill()
    {
        if (null != process && process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * SIGSTOP: the member stops dead (no thread runs) until {@link #resume()}; its peers see silence.
     */
    void pause()
    {
        signal("STOP");
    }

    /**
     * SIGCONT after {@link #pause()}.
     */
    void resume()
    {
        signal("CONT");
    }

    private void signal(final String name)
    {
        if (null == process || !process.isAlive())
        {
            return;
        }
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
            {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
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

    /**
     * SIGTERM: the node closes cleanly.
     */
    void stop()
    {
        if (null != process && process.isAlive())
        {
            process.destroy();
            try
            {
                if (!process.waitFor(20, TimeUnit.SECONDS))
                {
                    kill();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean isAlive()
    {
        return null != process && process.isAlive();
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * Output lines mentioning an error or exception, for tests that require a clean run.
     */
    List<String> errorLines()
    {
        final List<String> errors = new ArrayList<>();
        for (final String line : lines)
        {
            if (line.contains("Exception") || line.contains("ERROR"))
            {
                errors.add(line);
            }
        }
        return errors;
    }

    /**
     * Kill the member and remove its media driver directory (a killed driver cannot delete its own).
     */
    public void close()
    {
        kill();
        org.agrona.IoUtil.delete(
            new File(ReplicaNodeContext.defaultAeronDirectoryName(topology.portBase(), member)), true);
    }

    private void pump(final Process started, final File log)
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                lines.add(line);
                Files.writeString(log.toPath(), line + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
        }
        catch (final IOException ignore)
        {
            // the process ended
        }
    }
}
