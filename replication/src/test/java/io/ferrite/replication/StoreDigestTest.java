package io.ferrite.replication;

import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The store digest the fault tests compare members with: equal for equal contents whatever the insertion order,
 * different when one value, key or expiry differs.
 */
class StoreDigestTest
{
    private final AtomicLong now = new AtomicLong(1_000_000);

    @Test
    @Timeout(30)
    void shouldDigestContentsNotOrderAndSeeEveryDifference()
    {
        try (FerriteStore a = store(); FerriteStore b = store())
        {
            for (int i = 0; i < 100; i++)
            {
                a.put(bytes("k" + i), bytes("v" + i));
            }
            for (int i = 99; i >= 0; i--)
            {
                b.put(bytes("k" + i), bytes("v" + i));
            }
            b.put(bytes("gone"), bytes("x"));
            b.delete(bytes("gone"));
            assertEquals(StoreDigestPublisher.digest(a), StoreDigestPublisher.digest(b),
                "same entries inserted in another order (and one deleted) must digest the same");

            b.put(bytes("k7"), bytes("v7!"));
            assertNotEquals(StoreDigestPublisher.digest(a), StoreDigestPublisher.digest(b), "a changed value");
            b.put(bytes("k7"), bytes("v7"));
            assertEquals(StoreDigestPublisher.digest(a), StoreDigestPublisher.digest(b));

            b.put(bytes("k8"), bytes("v8"), 60_000);
            assertNotEquals(StoreDigestPublisher.digest(a), StoreDigestPublisher.digest(b), "a changed expiry");
            b.put(bytes("k8"), bytes("v8"));

            b.delete(bytes("k9"));
            assertNotEquals(StoreDigestPublisher.digest(a), StoreDigestPublisher.digest(b), "a missing entry");
            b.put(bytes("k9"), bytes("v9"));
            assertEquals(StoreDigestPublisher.digest(a), StoreDigestPublisher.digest(b));

            a.put(bytes("ab"), bytes("c"));
            b.put(bytes("a"), bytes("bc"));
            assertNotEquals(StoreDigestPublisher.digest(a), StoreDigestPublisher.digest(b),
                "the key/value boundary is part of the digest");
        }
    }

    private FerriteStore store()
    {
        return FerriteStore.open(new StoreContext().capacityBytes(1 << 20).clock(now::get));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
