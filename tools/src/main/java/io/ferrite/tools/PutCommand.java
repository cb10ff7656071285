package io.ferrite.tools;

import io.ferrite.client.FerriteClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * Stores a value on a running node.
 */
@Command(name = "put", description = "Store a value (exit code 1 if a condition kept it from being stored).")
final class PutCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", description = "The key (UTF-8).")
    String key;

    @Parameters(index = "1", description = "The value (UTF-8).")
    String value;

    @Option(names = "--ttl-ms", description = "Time to live in milliseconds (default: none).", defaultValue = "0")
    long ttlMs;

    @Option(names = "--if-absent", description = "Store only if the key has no entry.")
    boolean ifAbsent;

    @Option(names = "--replace", description = "Store only if the key has an entry.")
    boolean replace;

    public Integer call()
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        final byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
        try (FerriteClient ferrite = client.connect())
        {
            final boolean stored;
            if (ifAbsent)
            {
                stored = ferrite.putIfAbsent(keyBytes, valueBytes, Duration.ofMillis(ttlMs));
            }
            else if (replace)
            {
                stored = ferrite.replace(keyBytes, valueBytes, Duration.ofMillis(ttlMs));
            }
            else
            {
                ferrite.put(keyBytes, valueBytes, Duration.ofMillis(ttlMs));
                stored = true;
            }
            System.out.println(stored ? "STORED" : "NOT_STORED");
            return stored ? 0 : 1;
        }
    }
}
