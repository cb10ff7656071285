package io.ferrite.transport;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteException;
import io.ferrite.client.FerriteTimeoutException;
import io.ferrite.engine.StoreContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client on its own media driver outlives a node restart, and fails fast and cleanly when no node is there.
 */
@Timeout(90)
class ClientReconnectTest
{
    private final TestNodes nodes = new TestNodes();
    private FerriteNode first;
    private FerriteNode second;
    private FerriteClient client;

    @TempDir
    File storeDir;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(client, first, second);
        assertEquals(List.of(), nodes.errors);
    }

    private ClientContext ownDriverClient(final int port)
    {
        return new ClientContext()
            .nodeChannel(TestNodes.channel(port))
            .termLength(TestNodes.TERM_LENGTH)
            .requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1000))
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .errorHandler(nodes.errors::add);
    }

    private NodeContext persistentNode(final int port)
    {
        return nodes.nodeContext(port).storeContext(new StoreContext().dir(storeDir).capacityBytes(8L * 1024 * 1024));
    }

    @Test
    void shouldReconnectAfterNodeRestart()
    {
        final int port = TestNodes.freeUdpPort();
        first = FerriteNode.launch(persistentNode(port));
        client = FerriteClient.connect(ownDriverClient(port));
        client.put("survivor", "still here");
        final long firstInstance = client.nodeInstanceId();

        first.close();
        assertThrows(FerriteException.class, () -> client.get("survivor"));

        second = FerriteNode.launch(persistentNode(port));
        TestNodes.awaitTrue("a get served by the restarted node", 30_000, () ->
        {
            try
            {
                return "still here".equals(client.get("survivor"));
            }
            catch (final FerriteException ex)
            {
                return false;
            }
        });
        assertTrue(client.isConnected());
        assertNotEquals(firstInstance, client.nodeInstanceId());
        assertEquals(second.nodeInstanceId(), client.nodeInstanceId());
        client.put("after", "restart");
        assertEquals("restart", client.get("after"));
    }

    @Test
    void shouldTimeOutConnectingWhenNoNodeListens()
    {
        final long start = System.nanoTime();
        final FerriteTimeoutException ex = assertThrows(FerriteTimeoutException.class, () -> FerriteClient.connect(
            ownDriverClient(TestNodes.freeUdpPort()).connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))));
        assertTrue(ex.getMessage().contains("no Ferrite node answered"), ex.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    }
}
