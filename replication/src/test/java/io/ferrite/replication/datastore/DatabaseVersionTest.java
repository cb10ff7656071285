package io.ferrite.replication.datastore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class DatabaseVersionTest
{
    @Test
    void shouldBeThePositionForAGroupNeverPartOfAMove()
    {
        assertEquals(123_456L, DataStorePolicy.databaseVersion(1, 123_456L));
    }

    @Test
    void shouldRankANewerEpochAboveAnyPositionOfAnOlderOne()
    {
        final long source = DataStorePolicy.databaseVersion(1, (1L << 47) - 32);
        final long target = DataStorePolicy.databaseVersion(2, 0);
        assertTrue(target > source, "a new owner's first write outranks the old owner's last");
        assertTrue(DataStorePolicy.databaseVersion(2, 64) > DataStorePolicy.databaseVersion(2, 32));
        assertTrue(DataStorePolicy.databaseVersion(7, 0) > DataStorePolicy.databaseVersion(6, 1L << 40));
    }
}
