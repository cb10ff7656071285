package io.ferrite.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class ClusterDescriptionTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRoundTripThroughItsFile()
    {
        final ClusterDescription created = ClusterDescription.create(4096, 3, "h0,h1,h2", 21000);
        final Path file = dir.resolve("cluster.properties");
        created.write(file);
        final ClusterDescription read = ClusterDescription.read(file);
        assertEquals(4096, read.partitions());
        assertEquals(3, read.groups());
        assertEquals("h0,h1,h2", read.topology().hosts());
        assertArrayEquals(created.ingressEndpoints(), read.ingressEndpoints());
        assertEquals("0=h0:21200,1=h1:21210,2=h2:21220", read.ingressEndpoints()[1]);
    }

    @Test
    void shouldTakeListedEndpointsOverDerivedOnes() throws Exception
    {
        final Path file = dir.resolve("c.properties");
        ClusterDescription.create(271, 2, "a,b,c", 21000).write(file);
        Files.writeString(file, Files.readString(file).replace("group.1.ingress=0=a:21200",
            "group.1.ingress=0=moved-host:25000"));
        assertTrue(ClusterDescription.read(file).ingressEndpoints()[1].startsWith("0=moved-host:25000"));
    }

    @Test
    void shouldAllowMoreThanNineGroupsWithDistinctPorts()
    {
        final ClusterDescription many = ClusterDescription.create(4096, 40, "127.0.0.1,127.0.0.1,127.0.0.1", 21000);
        final Set<Integer> ports = new HashSet<>();
        for (int g = 0; g < 40; g++)
        {
            for (int m = 0; m < 3; m++)
            {
                for (int k = 0; k < 5; k++)
                {
                    assertTrue(ports.add(many.topology().port(g, m, k)), "port reused: group " + g + " member " + m);
                }
            }
        }
        assertTrue(GroupTopology.maxGroups(21000) >= 400);
        assertThrows(IllegalArgumentException.class,
            () -> ClusterDescription.create(271, GroupTopology.maxGroups(21000) + 1, "h", 21000));
    }

    @Test
    void shouldExplainAMissingOrIncompleteFile() throws Exception
    {
        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> ClusterDescription.read(dir.resolve("none.properties")));
        assertTrue(missing.getMessage().contains("ferrite cluster create"), missing.getMessage());
        final Path partial = dir.resolve("partial.properties");
        Files.writeString(partial, "partitions=271\n");
        final IllegalArgumentException incomplete = assertThrows(IllegalArgumentException.class,
            () -> ClusterDescription.read(partial));
        assertTrue(incomplete.getMessage().contains("groups"), incomplete.getMessage());
    }
}
