package io.ferrite.tools;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.transport.NodeConfiguration;
import picocli.CommandLine.Option;

import java.util.concurrent.TimeUnit;

/**
 * How the debugging commands reach a running node.
 */
final class ClientOptions
{
    @Option(names = "--node", description = "Node address host:port (default: ${DEFAULT-VALUE}).",
        defaultValue = "127.0.0.1:" + NodeCommand.DEFAULT_PORT)
    String node;

    @Option(names = "--stream-id", description = "Node request stream id (default: ${DEFAULT-VALUE}).",
        defaultValue = "" + NodeConfiguration.STREAM_ID_DEFAULT)
    int streamId;

    @Option(names = "--aeron-dir", description = "Use this running media driver instead of an embedded one.")
    String aeronDir;

    @Option(names = "--timeout-ms", description = "Connect and request timeout (default: ${DEFAULT-VALUE}).",
        defaultValue = "3000")
    long timeoutMs;

    FerriteClient connect()
    {
        return FerriteClient.connect(new ClientContext()
            .nodeChannel("aeron:udp?endpoint=" + node)
            .nodeStreamId(streamId)
            .aeronDir(aeronDir)
            .useConductorThread(false)
            .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(timeoutMs))
            .requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(timeoutMs)));
    }
}
