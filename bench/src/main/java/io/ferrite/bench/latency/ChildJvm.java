package io.ferrite.bench.latency;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A server started as its own JVM on the harness's class path: output goes to a log file, which is scanned for a
 * ready line. Stopped with SIGTERM (so it closes cleanly and deletes its Aeron directory), killed if it does not
 * exit in time.
 */
final class ChildJvm implements AutoCloseable
{
    private final String name;
    private final File log;
    private final Process process;

    private ChildJvm(final String name, final File log, final Process process)
    {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /**
     * Start {@code mainClass} with {@code jvmFlags} and {@code args}; wait until its log contains {@code readyLine}.
     */
    static ChildJvm start(
        final String name,
        final File logDir,
        final List<String> jvmFlags,
        final String mainClass,
        final List<String> args,
        final String readyLine,
        final long timeoutMs) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        final File log = new File(logDir, name + ".log");
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log)
            .start();
        final ChildJvm child = new ChildJvm(name, log, process);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!child.logContains(readyLine))
        {
            if (!process.isAlive() || System.nanoTime() - deadline > 0)
            {
                child.close();
                throw new IllegalStateException(name + " did not start (see " + log + "):\n" + child.tail());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return child;
    }

    long pid()
    {
        return process.pid();
    }

    boolean logContains(final String text) throws IOException
    {
        return log.exists() && Files.readString(log.toPath(), StandardCharsets.UTF_8).contains(text);
    }

    String tail()
    {
        try
        {
            final String text = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 4000));
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    public void close()
    {
        if (!process.isAlive())
        {
            return;
        }
        process.destroy();
        try
        {
            if (!process.waitFor(15, TimeUnit.SECONDS))
            {
                System.err.println("latency: " + name + " (pid " + process.pid() + ") did not stop: killing it");
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
