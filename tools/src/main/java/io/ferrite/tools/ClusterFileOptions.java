package io.ferrite.tools;

import io.ferrite.replication.ClusterAdmin;
import io.ferrite.replication.ClusterDescription;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Which partitioned cluster a command talks to: its description file.
 */
final class ClusterFileOptions
{
    static final String DEFAULT_FILE = "ferrite-cluster.properties";

    @Option(names = "--cluster", description = "Cluster description file (default: ${DEFAULT-VALUE}).",
        defaultValue = DEFAULT_FILE)
    Path file;

    @Option(names = "--timeout-ms", description = "How long to wait for a group's leader (default: ${DEFAULT-VALUE}).",
        defaultValue = "10000")
    long timeoutMs;

    ClusterDescription description()
    {
        return ClusterDescription.read(file);
    }

    ClusterAdmin admin()
    {
        return new ClusterAdmin(description().ingressEndpoints(), null, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    }
}
