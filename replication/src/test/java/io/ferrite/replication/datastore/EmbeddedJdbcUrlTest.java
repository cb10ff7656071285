package io.ferrite.replication.datastore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jdbc.url=embedded}: every datastore of the process opens the one embedded PostgreSQL, so members hosted in
 * one process share their database; anything else that is not a JDBC URL is refused with the setting's name.
 */
@Timeout(120)
class EmbeddedJdbcUrlTest
{
    @Test
    void shouldGiveEveryDataStoreOfTheProcessTheSameEmbeddedDatabase() throws DataStoreException
    {
        final JdbcDataStoreContext first = new JdbcDataStoreContext()
            .jdbcUrl(DataStoreConfiguration.EMBEDDED_JDBC_URL).table("embedded_url_test");
        final JdbcDataStoreContext second = new JdbcDataStoreContext()
            .jdbcUrl(DataStoreConfiguration.EMBEDDED_JDBC_URL).table("embedded_url_test");
        try (JdbcDataStore writer = JdbcDataStore.open(first); JdbcDataStore reader = JdbcDataStore.open(second))
        {
            assertEquals(first.jdbcUrl(), second.jdbcUrl(), "one server per process");
            assertTrue(first.jdbcUrl().startsWith("jdbc:postgresql://127.0.0.1:"), first.jdbcUrl());
            writer.storeAll(List.of(new DataStoreRecord(bytes("k"), bytes("written by one member"), 1)));
            assertArrayEquals(bytes("written by one member"), reader.load(bytes("k")),
                "another member of the process reads what the first wrote");
        }
    }

    @Test
    void shouldRefuseAUrlThatIsNeitherJdbcNorEmbedded()
    {
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> new JdbcDataStoreContext().jdbcUrl("postgres://localhost/test").conclude());
        assertTrue(refused.getMessage().contains("must be a JDBC URL or 'embedded'") &&
            refused.getMessage().contains(DataStoreConfiguration.JDBC_URL_PROP_NAME), refused.getMessage());
    }

    @Test
    void shouldRefuseEmbeddedInAProcessOfOneMemberOnlyWhileAPolicyIsOn()
    {
        try
        {
            System.setProperty(DataStoreConfiguration.JDBC_URL_PROP_NAME, DataStoreConfiguration.EMBEDDED_JDBC_URL);
            DataStoreConfiguration.refuseEmbeddedForOneMemberProcess(); // no policy: the URL is never used
            System.setProperty(DataStoreConfiguration.WRITE_POLICY_PROP_NAME, "write-behind");
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                DataStoreConfiguration::refuseEmbeddedForOneMemberProcess);
            assertTrue(refused.getMessage().contains("would each use another"), refused.getMessage());
            System.setProperty(DataStoreConfiguration.JDBC_URL_PROP_NAME, "jdbc:postgresql://127.0.0.1:5432/test");
            DataStoreConfiguration.refuseEmbeddedForOneMemberProcess();
        }
        finally
        {
            System.clearProperty(DataStoreConfiguration.JDBC_URL_PROP_NAME);
            System.clearProperty(DataStoreConfiguration.WRITE_POLICY_PROP_NAME);
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
