package io.ferrite.transport;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.FerriteRequestException;
import io.ferrite.codec.Credentials;
import io.ferrite.codec.sbe.ErrorCode;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node with a credentials file: sessions without, with malformed or with wrong credentials are refused with
 * {@code AUTHENTICATION_FAILED} (reason logged, counted in the node's counters), a read-only user can get but not
 * put or delete ({@code PERMISSION_DENIED}), and a read-write user can do both.
 */
@Timeout(60)
class NodeAuthenticationTest
{
    @TempDir
    Path tempDir;

    private final TestNodes nodes = new TestNodes();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private CredentialsVerifier verifier;
    private FerriteNode node;

    @BeforeEach
    void before() throws IOException
    {
        final SecureRandom random = new SecureRandom();
        final Path file = tempDir.resolve("credentials");
        Files.write(file, List.of(
            Credentials.hashLine("writer", Credentials.READ_WRITE, bytes("w-secret"), random),
            Credentials.hashLine("reader", Credentials.READ_ONLY, bytes("r-secret"), random)));
        verifier = new CredentialsVerifier(Credentials.Store.load(file), refusals::add);
        node = FerriteNode.launch(nodes.nodeContext(TestNodes.freeUdpPort()).credentialsVerifier(verifier));
    }

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(node, verifier);
        assertEquals(List.of(), nodes.errors);
    }

    @Test
    void shouldRefuseSessionsWithoutOrWithWrongCredentials()
    {
        assertRefused(null, "malformed credentials");
        assertRefused(new byte[]{ 1, 2, 3 }, "malformed credentials");
        assertRefused(Credentials.encode("writer", bytes("wrong")), "bad secret");
        assertRefused(Credentials.encode("ghost", bytes("w-secret")), "unknown user");
        assertEquals(4, verifier.failures());
        TestNodes.awaitTrue("refusals counted in the node's counters", 10_000,
            () -> Long.valueOf(4).equals(NodeCountersReader.read(node.aeronDirectoryName()).get("auth failures")));
    }

    @Test
    void shouldLetAReadOnlyUserGetButNotWrite()
    {
        try (FerriteClient writer = FerriteClient.connect(nodes.clientContext(node)
            .credentials(Credentials.encode("writer", bytes("w-secret"))));
            FerriteClient reader = FerriteClient.connect(nodes.clientContext(node)
                .credentials(Credentials.encode("reader", bytes("r-secret")))))
        {
            writer.put("k", "v");
            assertEquals("v", reader.get("k"));
            final FerriteRequestException put = assertThrows(FerriteRequestException.class,
                () -> reader.put("k", "overwritten"));
            assertEquals(ErrorCode.PERMISSION_DENIED, put.code(), put.getMessage());
            final FerriteRequestException delete = assertThrows(FerriteRequestException.class,
                () -> reader.delete("k".getBytes(StandardCharsets.UTF_8)));
            assertEquals(ErrorCode.PERMISSION_DENIED, delete.code(), delete.getMessage());
            assertEquals("v", writer.get("k"), "refused writes change nothing");
            writer.delete("k".getBytes(StandardCharsets.UTF_8));
            assertNull(reader.get("k"));
            assertTrue(refusals.stream().anyMatch((line) -> line.contains("permission denied")), "" + refusals);
            assertEquals(Long.valueOf(2), NodeCountersReader.read(node.aeronDirectoryName()).get("permission denied"));
        }
    }

    private void assertRefused(final byte[] credentials, final String reason)
    {
        final int logged = refusals.size();
        final FerriteRequestException refused = assertThrows(FerriteRequestException.class,
            () -> FerriteClient.connect(nodes.clientContext(node).credentials(credentials)).close());
        assertEquals(ErrorCode.AUTHENTICATION_FAILED, refused.code(), refused.getMessage());
        assertTrue(refused.getMessage().contains(reason), refused.getMessage());
        assertTrue(refusals.size() > logged && refusals.get(refusals.size() - 1).contains(reason), "" + refusals);
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
