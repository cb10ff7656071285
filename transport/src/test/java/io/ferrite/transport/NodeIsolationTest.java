package io.ferrite.transport;

import io.ferrite.client.FerriteClient;
import io.ferrite.codec.sbe.GetRequestEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that stops reading loses its session (with a logged reason) while other clients are served, and the
 * node's thread allocates nothing per request.
 */
@Timeout(60)
class NodeIsolationTest
{
    private final TestNodes nodes = new TestNodes();
    private FerriteNode node;
    private FerriteClient client;
    private RawClient stalled;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(client, stalled, node);
        assertEquals(List.of(), nodes.errors);
    }

    @Test
    void shouldCloseSessionOfClientThatStopsReading()
    {
        node = FerriteNode.launch(nodes.nodeContext(TestNodes.freeUdpPort())
            .sendTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200)));
        client = FerriteClient.connect(nodes.clientContext(node));
        client.put("big".getBytes(StandardCharsets.US_ASCII), new byte[60_000]);

        stalled = new RawClient(node);
        stalled.connect();
        final byte[] key = "big".getBytes(StandardCharsets.US_ASCII);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new GetRequestEncoder()
            .wrapAndApplyHeader(stalled.buffer, 0, new MessageHeaderEncoder())
            .clientId(99).correlationId(1).putKey(key, 0, key.length).encodedLength();
        for (int i = 0; i < 200; i++)
        {
            stalled.send(length);
        }

        TestNodes.awaitTrue("stalled session closed", 10_000,
            () -> nodes.events.stream().anyMatch((event) -> event.contains("stopped reading responses")));
        client.put("other", "served");
        assertEquals("served", client.get("other"));
        assertEquals(1, client.stats().sessions());
    }

    @Test
    void shouldNotAllocateOnTheNodeThreadPerRequest()
    {
        node = FerriteNode.launch(nodes.nodeContext(TestNodes.freeUdpPort()));
        client = FerriteClient.connect(nodes.clientContext(node));
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long nodeThreadId = Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> "ferrite-node".equals(thread.getName())).findFirst().orElseThrow().getId();

        final byte[] key = "alloc".getBytes(StandardCharsets.US_ASCII);
        final byte[] value = new byte[100];
        for (int i = 0; i < 2_000; i++)
        {
            client.put(key, value);
            client.get(key);
        }
        final int ops = 5_000;
        final long before = threads.getThreadAllocatedBytes(nodeThreadId);
        for (int i = 0; i < ops; i++)
        {
            client.put(key, value);
            client.get(key);
        }
        final long allocated = threads.getThreadAllocatedBytes(nodeThreadId) - before;
        System.out.printf("node thread: %d bytes allocated over %d requests%n", allocated, 2 * ops);
        assertTrue(allocated < 64 * 1024, "node thread allocated " + allocated + " bytes for " + 2 * ops + " requests");
    }
}
