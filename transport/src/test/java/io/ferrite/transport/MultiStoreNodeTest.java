package io.ferrite.transport;

import io.ferrite.client.FerriteClient;
import io.ferrite.engine.StoreContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node serving two stores, each on its own thread and stream; clients pick a store by stream id.
 */
@Timeout(60)
class MultiStoreNodeTest
{
    private final TestNodes nodes = new TestNodes();
    private FerriteNode node;
    private FerriteClient first;
    private FerriteClient second;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(first, second, node);
        assertEquals(List.of(), nodes.errors);
    }

    @Test
    void shouldServeEachStoreOnItsOwnStream()
    {
        node = FerriteNode.launch(nodes.nodeContext(TestNodes.freeUdpPort()).storeContexts(
            new StoreContext().capacityBytes(4L * 1024 * 1024), new StoreContext().capacityBytes(4L * 1024 * 1024)));
        first = FerriteClient.connect(nodes.clientContext(node));
        second = FerriteClient.connect(nodes.clientContext(node).nodeStreamId(node.context().streamId() + 1));

        first.put("shared-key", "in store 0");
        second.put("shared-key", "in store 1");
        second.put("only-in-1", "x");
        assertEquals("in store 0", first.get("shared-key"));
        assertEquals("in store 1", second.get("shared-key"));
        assertEquals(null, first.get("only-in-1"));
        assertEquals(1, first.stats().size());
        assertEquals(2, second.stats().size());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
            .anyMatch((thread) -> "ferrite-node-1".equals(thread.getName())));

        TestNodes.awaitTrue("counters summed over stores", 5_000, () ->
        {
            final Map<String, Long> counters = NodeCountersReader.read(node.aeronDirectoryName());
            return Long.valueOf(3).equals(counters.get("puts")) && Long.valueOf(2).equals(counters.get("sessions"));
        });
    }
}
