package io.ferrite.tools;

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
    subcommands = { DemoCommand.class, ClusterCommand.class, CommandLine.HelpCommand.class })
public final class FerriteCli implements Runnable
{
    public void run()
    {
        new CommandLine(this).usage(System.out);
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new FerriteCli()).execute(args));
    }
}
