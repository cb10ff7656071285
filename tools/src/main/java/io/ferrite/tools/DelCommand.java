package io.ferrite.tools;

import io.ferrite.client.FerriteClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * Deletes a key on a running node.
 */
@Command(name = "del", description = "Delete a key (exit code 1 if it had no entry).")
final class DelCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", description = "The key (UTF-8).")
    String key;

    public Integer call()
    {
        try (FerriteClient ferrite = client.connect())
        {
            final boolean deleted = ferrite.delete(key);
            System.out.println(deleted ? "DELETED" : "NOT_FOUND");
            return deleted ? 0 : 1;
        }
    }
}
