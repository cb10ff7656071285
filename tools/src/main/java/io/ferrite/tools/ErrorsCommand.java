package io.ferrite.tools;

import io.ferrite.transport.NodeErrorLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * Prints the distinct error logs of the nodes using a media driver directory.
 */
@Command(name = "errors", description = "Print the distinct errors of running nodes from their media driver directory.")
final class ErrorsCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "The node's media driver directory (printed by 'ferrite node').")
    File aeronDir;

    public Integer call()
    {
        final File[] files = aeronDir.listFiles((dir, name) ->
            name.startsWith(NodeErrorLog.FILE_PREFIX) && name.endsWith(NodeErrorLog.FILE_SUFFIX));
        if (null == files || 0 == files.length)
        {
            System.err.println("no Ferrite node error log in " + aeronDir);
            return 1;
        }
        for (final File file : files)
        {
            final int distinct = NodeErrorLog.read(file, (count, firstMs, lastMs, text) -> System.out.printf(
                "%d observations from %s to %s:%n%s%n", count, Instant.ofEpochMilli(firstMs),
                Instant.ofEpochMilli(lastMs), text));
            System.out.printf("%s: %d distinct errors%n", file.getName(), distinct);
        }
        return 0;
    }
}
