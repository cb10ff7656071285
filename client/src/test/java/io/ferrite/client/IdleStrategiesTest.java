package io.ferrite.client;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idle strategies by name, and the backoff strategy's yields setting.
 */
@Timeout(10)
class IdleStrategiesTest
{
    @AfterEach
    void clear()
    {
        System.clearProperty(IdleStrategies.BACKOFF_YIELDS_PROP_NAME);
    }

    @Test
    void shouldBackOffWithTwentyYieldsByDefaultAndTheConfiguredNumberOtherwise()
    {
        assertTrue(IdleStrategies.of("backoff").toString().contains("maxYields=20"), IdleStrategies.of("backoff")
            .toString());
        System.setProperty(IdleStrategies.BACKOFF_YIELDS_PROP_NAME, "60");
        final String described = IdleStrategies.of(" Backoff ").toString();
        assertTrue(described.contains("maxYields=60") && described.contains("maxParkPeriodNs=100000"), described);
    }

    @Test
    void shouldRefuseANegativeYieldCountAndAnUnknownName()
    {
        System.setProperty(IdleStrategies.BACKOFF_YIELDS_PROP_NAME, "-3");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, IdleStrategies::backoff);
        assertTrue(ex.getMessage().contains(IdleStrategies.BACKOFF_YIELDS_PROP_NAME), ex.getMessage());
        final IllegalArgumentException unknown =
            assertThrows(IllegalArgumentException.class, () -> IdleStrategies.of("spinning"));
        assertTrue(unknown.getMessage().contains("backoff, sleeping, yielding or busy"), unknown.getMessage());
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategies.of("busy"));
    }
}
