package io.ferrite.replication;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The members' idle settings: spins and yields before the first park are read from their properties, default to
 * 10 and 20, and a negative count is refused with the property's name.
 */
@Timeout(10)
class IdleSettingsTest
{
    @AfterEach
    void clear()
    {
        System.clearProperty(ReplicationConfiguration.SPINS_PROP_NAME);
        System.clearProperty(ReplicationConfiguration.YIELDS_PROP_NAME);
    }

    @Test
    void shouldDefaultToTenSpinsAndTwentyYields()
    {
        assertEquals(10, ReplicationConfiguration.spins());
        assertEquals(20, ReplicationConfiguration.yields());
    }

    @Test
    void shouldBuildTheMembersIdleStrategiesWithTheConfiguredYields()
    {
        System.setProperty(ReplicationConfiguration.YIELDS_PROP_NAME, "60");
        final String described = new ReplicaNodeContext().idleStrategySupplier().get().toString();
        assertTrue(described.contains("maxYields=60"), "the idle strategy uses the setting: " + described);
        assertTrue(described.contains(BackoffIdleStrategy.class.getSimpleName()), described);
    }

    @Test
    void shouldRefuseANegativeCountNamingTheProperty()
    {
        System.setProperty(ReplicationConfiguration.YIELDS_PROP_NAME, "-1");
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, ReplicationConfiguration::yields);
        assertTrue(ex.getMessage().contains(ReplicationConfiguration.YIELDS_PROP_NAME), ex.getMessage());
    }
}
