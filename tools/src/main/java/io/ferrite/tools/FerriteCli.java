package io.ferrite.tools;

import io.ferrite.transport.FerriteException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ferrite} command line: one entry point whose subcommands start nodes and inspect them.
 */
@Command(
    name = "ferrite",
    mixinStandardHelpOptions = true,
    version = "ferrite 0.1.0-SNAPSHOT",
    description = "Ferrite: replicated off-heap cache. Run a subcommand; 'ferrite help <command>' explains it.",
    subcommands = {
        NodeCommand.class, GetCommand.class, PutCommand.class, DelCommand.class, StatsCommand.class,
        ErrorsCommand.class, DemoCommand.class, ClusterCommand.class, RebalanceCommand.class, MoveCommand.class,
        CommandLine.HelpCommand.class })
public final class FerriteCli implements Runnable
{
    public void run()
    {
        new CommandLine(this).usage(System.out);
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, reporting Ferrite errors (node unreachable, request refused, bad setting) as one line.
     */
    static CommandLine commandLine()
    {
        return new CommandLine(new FerriteCli()).setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            if (ex instanceof FerriteException || ex instanceof IllegalArgumentException ||
                ex instanceof IllegalStateException || ex instanceof io.ferrite.replication.ReplicationException)
            {
                commandLine.getErr().println("ferrite " + commandLine.getCommandName() + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
    }
}
