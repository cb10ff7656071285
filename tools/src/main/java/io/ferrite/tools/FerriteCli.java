package io.ferrite.tools;

import io.ferrite.client.FerriteException;
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
        CredentialsCommand.class, CommandLine.HelpCommand.class })
public final class FerriteCli implements Runnable
{
    /**
     * One sentence for a bind that failed because the address is taken (Aeron reports it as a raw
     * {@code RegistrationException}), or null for any other failure.
     */
    static String portInUse(final Throwable failure)
    {
        for (Throwable t = failure; null != t; t = t.getCause())
        {
            final String message = t.getMessage();
            if (null != message && message.contains("Address already in use"))
            {
                final java.util.regex.Matcher endpoint =
                    java.util.regex.Pattern.compile("endpoint=([^|,\\s]+)").matcher(message);
                return (endpoint.find() ? "address " + endpoint.group(1) : "an address") +
                    " is already in use (is another Ferrite node or member running there?)";
            }
        }
        return null;
    }

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
            final String inUse = portInUse(ex);
            if (null != inUse)
            {
                commandLine.getErr().println("ferrite " + commandLine.getCommandName() + ": " + inUse);
                return 2;
            }
            throw ex;
        });
    }
}
