package io.ferrite.engine;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM running a main class of the test sources, with the test's classpath and the Agrona export; its
 * stdout lines are queued by a reader thread so the test can wait for one with a deadline.
 */
final class ChildJvm implements AutoCloseable
{
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final File stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    ChildJvm(final File workDir, final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-Xmx128m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        stderr = new File(workDir, "child-" + System.nanoTime() + ".stderr");
        try
        {
            process = new ProcessBuilder(command).redirectError(stderr).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
        final Thread reader = new Thread(this::pump, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    private void pump()
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                lines.add(line);
            }
        }
        catch (final IOException ignore)
        {
            // the child was killed: its pipe closes, and EOF below tells the waiter
        }
        finally
        {
            lines.add(EOF);
        }
    }

    /**
     * Wait for a stdout line matching {@code wanted}.
     *
     * @throws AssertionError with the child's output if the deadline passes or the child exits first.
     */
    String awaitLine(final Predicate<String> wanted, final long timeoutMs, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final long remaining = deadline - System.nanoTime();
            final String line = remaining > 0 ? lines.poll(remaining, TimeUnit.NANOSECONDS) : null;
            if (null == line)
            {
                throw new AssertionError("child did not print " + what + " within " + timeoutMs + " ms; " +
                    describe());
            }
            if (EOF.equals(line))
            {
                throw new AssertionError("child exited before printing " + what + "; " + describe());
            }
            seen.add(line);
            if (wanted.test(line))
            {
                return line;
            }
        }
    }

    /**
     * SIGKILL the child and wait for it to be gone.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new AssertionError("child " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    int waitForExit(final long timeoutMs) throws InterruptedException
    {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new AssertionError("child did not exit within " + timeoutMs + " ms; " + describe());
        }
        return process.exitValue();
    }

    String describe()
    {
        final int from = Math.max(0, seen.size() - 5);
        String err;
        try
        {
            err = Files.readString(stderr.toPath());
        }
        catch (final IOException ex)
        {
            err = "(no stderr: " + ex + ")";
        }
        return "last stdout lines " + seen.subList(from, seen.size()) + ", stderr: " + err;
    }

    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
    }
}
