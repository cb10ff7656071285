package io.ferrite.transport;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.engine.StoreContext;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With the default limits and term length, 1 MiB values travel both ways, alone and pipelined.
 */
@Timeout(90)
class LargeValueTest
{
    private final TestNodes nodes = new TestNodes();
    private FerriteNode node;
    private FerriteClient client;

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(client, node);
        assertEquals(List.of(), nodes.errors);
    }

    @Test
    void shouldCarryOneMebibyteValuesWithDefaultSettings()
    {
        final NodeContext ctx = new NodeContext()
            .channel(TestNodes.channel(TestNodes.freeUdpPort()))
            .storeContext(new StoreContext().capacityBytes(64L * 1024 * 1024))
            .errorHandler(nodes.errors::add)
            .eventLog(nodes.events::add);
        node = FerriteNode.launch(ctx);
        assertEquals(NodeConfiguration.MAX_VALUE_LENGTH_DEFAULT, node.context().maxValueLength());
        client = FerriteClient.connect(new ClientContext()
            .nodeChannel(ctx.channel())
            .aeronDir(node.aeronDirectoryName())
            .errorHandler(nodes.errors::add));

        final byte[] value = new byte[1024 * 1024];
        new Random(42).nextBytes(value);
        client.put("mib".getBytes(StandardCharsets.US_ASCII), value);
        assertArrayEquals(value, client.get("mib".getBytes(StandardCharsets.US_ASCII)));

        final CompletableFuture<?>[] puts = new CompletableFuture<?>[8];
        for (int i = 0; i < puts.length; i++)
        {
            value[0] = (byte)i;
            puts[i] = client.putAsync(("mib" + i).getBytes(StandardCharsets.US_ASCII), value.clone());
        }
        CompletableFuture.allOf(puts).join();
        for (int i = 0; i < puts.length; i++)
        {
            final byte[] read = client.getAsync(("mib" + i).getBytes(StandardCharsets.US_ASCII)).join();
            assertEquals(value.length, read.length);
            assertEquals((byte)i, read[0]);
        }
    }
}
