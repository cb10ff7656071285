package io.ferrite.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ClientContextTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldKeepServerClassesOffTheClientsClasspath()
    {
        for (final String serverClass : new String[]{ "io.ferrite.engine.FerriteStore",
            "io.ferrite.transport.FerriteNode", "io.ferrite.replication.ReplicaNode",
            "io.ferrite.replication.FerriteClusteredService" })
        {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(serverClass),
                serverClass + " must not be needed by (or reachable from) the client artifact");
        }
    }

    @Test
    void shouldReadEveryGroupFromAClusterDescription() throws Exception
    {
        final Path file = tempDir.resolve("cluster.properties");
        Files.writeString(file, "partitions=271\ngroups=2\nhosts=h0,h1,h2\nport.base=21000\n" +
            "group.0.ingress=0=h0:21100,1=h1:21110,2=h2:21120\ngroup.1.ingress=0=h0:21200,1=h1:21210,2=h2:21220\n",
            StandardCharsets.UTF_8);
        final ClientContext ctx = new ClientContext().clusterDescription(file);
        assertEquals(ClientContext.Mode.CLUSTER, ctx.mode());
        assertArrayEquals(new String[]{ "0=h0:21100,1=h1:21110,2=h2:21120", "0=h0:21200,1=h1:21210,2=h2:21220" },
            ctx.groupEndpoints());

        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> new ClientContext().clusterDescription(tempDir.resolve("nope.properties")));
        assertTrue(missing.getMessage().startsWith("no cluster description at"), missing.getMessage());
        Files.writeString(file, "groups=2\ngroup.0.ingress=0=h0:21100\n", StandardCharsets.UTF_8);
        final IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
            () -> new ClientContext().clusterDescription(file));
        assertTrue(partial.getMessage().contains("group.1.ingress"), partial.getMessage());
    }

    @Test
    void shouldValidateOnceAndDrawAnInstanceId()
    {
        final ClientContext ctx = new ClientContext().group("0=127.0.0.1:1").conclude();
        assertNotEquals(0, ctx.instanceId());
        assertNotEquals(ctx.instanceId(), new ClientContext().conclude().instanceId());
        assertThrows(IllegalStateException.class, ctx::conclude);
        assertThrows(IllegalArgumentException.class, () -> new ClientContext().maxInFlight(257).conclude());
        assertThrows(IllegalArgumentException.class, () -> new ClientContext().termLength(1000).conclude());
        assertThrows(IllegalArgumentException.class, () -> new ClientContext().cluster());
    }

    @Test
    void shouldFailInOneSentenceWhenNoNodeAnswers()
    {
        final FerriteTimeoutException ex = assertThrows(FerriteTimeoutException.class,
            () -> FerriteClient.connect(new ClientContext().node("127.0.0.1:1")
                .connectTimeout(Duration.ofMillis(300))));
        assertTrue(ex.getMessage().startsWith("not connected: no Ferrite node answered at aeron:udp?endpoint=" +
            "127.0.0.1:1"), ex.getMessage());
    }

    @Test
    void shouldFailInOneSentenceWhenAGroupIsDown()
    {
        final FerriteTimeoutException ex = assertThrows(FerriteTimeoutException.class,
            () -> FerriteClient.connect(new ClientContext()
                .cluster("0=127.0.0.1:2,1=127.0.0.1:3,2=127.0.0.1:4")
                .connectTimeout(Duration.ofMillis(500))));
        assertTrue(ex.getMessage().startsWith("group 0 is down: no leader answered at 0=127.0.0.1:2"),
            ex.getMessage());
    }
}
