package io.ferrite.tools;

import io.ferrite.client.FerriteClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * Prints a key's value from a running node.
 */
@Command(name = "get", description = "Print the value of a key (exit code 1 on a miss).")
final class GetCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", description = "The key (UTF-8).")
    String key;

    public Integer call()
    {
        try (FerriteClient ferrite = client.connect())
        {
            final String value = ferrite.get(key);
            if (null == value)
            {
                System.err.println("(not found)");
                return 1;
            }
            System.out.println(value);
            return 0;
        }
    }
}
