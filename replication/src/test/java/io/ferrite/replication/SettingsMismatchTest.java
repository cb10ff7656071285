package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member whose store settings differ from its group's refuses to take part (it would evict differently from the
 * same log), while the group keeps serving on the others.
 */
@Timeout(90)
class SettingsMismatchTest
{
    @TempDir
    File tempDir;

    private TestGroup group;

    @AfterEach
    void tearDown()
    {
        if (null != group)
        {
            group.close();
        }
    }

    @Test
    void shouldRefuseAMemberWhoseStoreSettingsDiffer()
    {
        group = new TestGroup(tempDir, 20000);
        group.launch(0, (ctx) -> { });
        group.launch(1, (ctx) -> { });
        final FerriteClient client = group.connect();
        client.put(bytes("k"), bytes("v"));
        TestGroup.await("the leader's settings to reach the log", 10_000,
            () -> group.nodes[0].service(0).logPosition() > 0 && group.nodes[1].service(0).logPosition() > 0);

        final FerriteClusteredService odd = group.launch(2, (ctx) -> ctx.storeCapacityBytes(16L * 1024 * 1024))
            .service(0);
        TestGroup.await("member 2 to refuse the group", 20_000, () -> null != odd.refusal());
        assertTrue(odd.refusal().contains("storeCapacityBytes 16777216 (group: 8388608)"), odd.refusal());
        assertNull(group.nodes[0].service(0).refusal(), "matching members take part");
        assertNull(group.nodes[1].service(0).refusal(), "matching members take part");

        client.put(bytes("k"), bytes("v2"));
        assertArrayEquals(bytes("v2"), client.get(bytes("k")), "the group keeps serving on its matching members");
        final List<String> errors = group.errors.stream().map(Throwable::getMessage).collect(Collectors.toList());
        assertEquals(List.of(odd.refusal()), errors, "the refusal, and nothing else, reaches the error handler");
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
