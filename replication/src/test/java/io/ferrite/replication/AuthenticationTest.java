package io.ferrite.replication;

import io.aeron.archive.client.AeronArchive;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ferrite.codec.Credentials;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PlanSubmitRequestDecoder;
import io.ferrite.client.ClientContext;
import io.ferrite.transport.CredentialsVerifier;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.FerriteRequestException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica group with authentication on (a credentials file with an admin, a read-write and a read-only user;
 * three real members in this JVM): clients without or with wrong credentials are refused with the reason logged and
 * counted, a read-only client can get but not put, admin-only commands are refused for read-write users, and the
 * members' archives refuse connects without an admin login.
 */
@Timeout(120)
class AuthenticationTest
{
    private static final int PORT_BASE = 19000;

    @TempDir
    static File tempDir;

    private static TestGroup group;
    private static CredentialsVerifier verifier;
    private static final Queue<String> REFUSALS = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startGroup() throws IOException
    {
        final SecureRandom random = new SecureRandom();
        final Path file = tempDir.toPath().resolve("credentials");
        Files.write(file, List.of(
            "# test users",
            Credentials.hashLine("admin", Credentials.ADMIN, bytes("admin-secret"), random),
            Credentials.hashLine("writer", Credentials.READ_WRITE, bytes("writer-secret"), random),
            Credentials.hashLine("reader", Credentials.READ_ONLY, bytes("reader-secret"), random)));
        verifier = new CredentialsVerifier(Credentials.Store.load(file), REFUSALS::add);
        group = new TestGroup(tempDir, PORT_BASE, (ctx) -> ctx
            .credentialsVerifier(verifier)
            .credentials(login("admin", "admin-secret")));
    }

    @AfterAll
    static void stopGroup()
    {
        if (null != group)
        {
            group.close();
            // Aeron WARN events (a control request racing the archive's close, an election) are not errors
            assertEquals(List.of(), ErrorFilter.realErrors(group.errors), "nothing may reach an error handler");
        }
        CloseHelper.quietClose(verifier);
    }

    @Test
    void shouldRefuseClientsWithoutOrWithWrongCredentialsAndCountThem()
    {
        final long before = verifier.failures();
        assertRefused(null, "malformed credentials");
        assertRefused(login("writer", "not-the-secret"), "bad secret");
        assertRefused(login("nobody", "writer-secret"), "unknown user");
        assertTrue(verifier.failures() >= before + 3, "REFUSALS counted: " + verifier.failures());
        TestGroup.await("the members' auth failure counters", 10_000, () -> authFailureCounters() >= 3);

        try (FerriteClient writer = FerriteClient.connect(group.clientContext()
            .credentials(login("writer", "writer-secret"))))
        {
            writer.put(bytes("auth:k"), bytes("v"));
            assertArrayEquals(bytes("v"), writer.get(bytes("auth:k")));
        }
    }

    @Test
    void shouldLetAReadOnlyClientGetButNotPut()
    {
        try (FerriteClient writer = FerriteClient.connect(group.clientContext()
            .credentials(login("writer", "writer-secret")));
            FerriteClient reader = FerriteClient.connect(group.clientContext()
                .credentials(login("reader", "reader-secret"))))
        {
            writer.put(bytes("ro:k"), bytes("written"));
            assertArrayEquals(bytes("written"), reader.get(bytes("ro:k")));
            final FerriteRequestException put =
                assertThrows(FerriteRequestException.class, () -> reader.put(bytes("ro:k"), bytes("overwritten")));
            assertEquals(ErrorCode.PERMISSION_DENIED, put.code(), put.getMessage());
            final FerriteRequestException delete =
                assertThrows(FerriteRequestException.class, () -> reader.delete(bytes("ro:k")));
            assertEquals(ErrorCode.PERMISSION_DENIED, delete.code());
            assertArrayEquals(bytes("written"), writer.get(bytes("ro:k")), "a refused write changes nothing");
            TestGroup.await("refused commands counted on every member", 10_000, () ->
            {
                for (final ReplicaNode node : group.nodes)
                {
                    if (ClusterStatus.securityCounters(node.aeronDirectoryName())[1] < 2)
                    {
                        return false;
                    }
                }
                return true;
            });

            assertArrayEquals(bytes("written"), reader.getPossiblyStale(bytes("ro:k")),
                "the stale-read endpoint serves an authenticated reader");
        }
    }

    @Test
    void shouldRefuseStaleReadSessionsWithoutCredentials()
    {
        final String endpoint = group.topology.endpoint(0, 0, GroupTopology.STALE_READ_PORT);
        final FerriteRequestException refused = assertThrows(FerriteRequestException.class,
            () -> FerriteClient.connect(staleReadClient(endpoint).credentials(null)).close());
        assertEquals(ErrorCode.AUTHENTICATION_FAILED, refused.code(), refused.getMessage());
        final FerriteRequestException wrong = assertThrows(FerriteRequestException.class,
            () -> FerriteClient.connect(staleReadClient(endpoint).credentials(login("reader", "nope"))).close());
        assertEquals(ErrorCode.AUTHENTICATION_FAILED, wrong.code(), wrong.getMessage());
        try (FerriteClient reader = FerriteClient.connect(staleReadClient(endpoint)
            .credentials(login("reader", "reader-secret"))))
        {
            reader.get(bytes("stale:missing"));
        }
    }

    private static ClientContext staleReadClient(final String endpoint)
    {
        return new ClientContext()
            .nodeChannel("aeron:udp?endpoint=" + endpoint)
            .responseChannel("aeron:udp?endpoint=127.0.0.1:0")
            .aeronDir(group.nodes[0].aeronDirectoryName())
            .connectTimeoutNs(10_000_000_000L)
            .termLength(ReplicationConfiguration.termLength());
    }

    @Test
    void shouldRefuseAdminCommandsToReadWriteUsers()
    {
        try (RawIngress writer = new RawIngress(group.topology, login("writer", "writer-secret"));
            RawIngress admin = new RawIngress(group.topology, login("admin", "admin-secret")))
        {
            writer.send(minimalRequest(writer, PlanSubmitRequestDecoder.TEMPLATE_ID, 7));
            final RawIngress.Error refused = writer.awaitError(10_000);
            assertEquals(ErrorCode.PERMISSION_DENIED, refused.code(), refused.message());
            assertEquals(7, refused.correlationId());

            admin.send(minimalRequest(admin, PlanSubmitRequestDecoder.TEMPLATE_ID, 8));
            final RawIngress.Error answered = admin.awaitError(10_000);
            assertEquals(8, answered.correlationId());
            assertTrue(ErrorCode.PERMISSION_DENIED != answered.code(),
                "an admin passes the permission check (the truncated plan is then refused as invalid): " + answered);
        }
    }

    @Test
    void shouldRefuseArchiveConnectsWithoutAnAdminLogin()
    {
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName("/dev/shm/ferrite-auth-archive-" + ThreadLocalRandom.current().nextInt(1 << 30))
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        try
        {
            final long before = authFailureCounters();
            assertThrows(RuntimeException.class, () -> connectArchive(driver, null).close(),
                "an unauthenticated connect to the archive's control channel must be refused");
            assertThrows(RuntimeException.class,
                () -> connectArchive(driver, login("writer", "writer-secret")).close(),
                "the archive admits admin users only");
            try (AeronArchive archive = connectArchive(driver, login("admin", "admin-secret")))
            {
                assertEquals(PORT_BASE * 100L, archive.archiveId(), "member 0's archive, admin login");
            }
            TestGroup.await("the archive's auth failure counter", 10_000, () -> authFailureCounters() >= before + 2);
        }
        finally
        {
            CloseHelper.quietClose(driver);
        }
    }

    @Test
    void shouldLetAnAdminStandbyFollowTheGroupAndRefuseOneWithoutCredentials()
    {
        try (FerriteClient writer = FerriteClient.connect(group.clientContext()
            .credentials(login("writer", "writer-secret"))))
        {
            for (int i = 0; i < 100; i++)
            {
                writer.put(bytes("standby:" + i), bytes("v" + i));
            }
            final long before = authFailureCounters();
            try (StandbyBackup anonymous = StandbyBackup.launch(group.topology, 0, "127.0.0.1",
                new File(tempDir, "standby-anonymous"), 200_000_000L, group.events::add, null, null))
            {
                TestGroup.await("the group refusing a standby without credentials", 20_000,
                    () -> authFailureCounters() > before);
                assertEquals(0, anonymous.liveLogPosition(), "a refused standby copies nothing");
            }
            try (StandbyBackup standby = StandbyBackup.launch(group.topology, 0, "127.0.0.1",
                new File(tempDir, "standby-admin"), 200_000_000L, group.events::add, verifier,
                login("admin", "admin-secret")))
            {
                TestGroup.await("an admin standby following the live log", 30_000,
                    () -> standby.liveLogPosition() > 0);
                final long position = standby.liveLogPosition();
                writer.put(bytes("standby:after"), bytes("x"));
                TestGroup.await("the standby following new writes", 30_000,
                    () -> standby.liveLogPosition() > position);
            }
        }
    }

    private static AeronArchive connectArchive(final MediaDriver driver, final byte[] credentials)
    {
        return AeronArchive.connect(new AeronArchive.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .controlRequestChannel("aeron:udp?endpoint=" + group.topology.archiveControlEndpoint(0))
            .controlResponseChannel("aeron:udp?endpoint=127.0.0.1:0")
            .messageTimeoutNs(5_000_000_000L)
            .credentialsSupplier(CredentialsVerifier.credentialsSupplier(credentials)));
    }

    private static void assertRefused(final byte[] credentials, final String reason)
    {
        final int logged = REFUSALS.size();
        final FerriteRequestException refused = assertThrows(FerriteRequestException.class,
            () -> FerriteClient.connect(group.clientContext().credentials(credentials)).close());
        assertEquals(ErrorCode.AUTHENTICATION_FAILED, refused.code(), refused.getMessage());
        TestGroup.await("a refusal logged as " + reason, 10_000, () -> REFUSALS.size() > logged);
        assertTrue(REFUSALS.stream().skip(logged).anyMatch((line) -> line.contains(reason)),
            "expected '" + reason + "' in " + REFUSALS);
    }

    /**
     * Sum of the members' auth failure counters (ingress and archive), read from their media drivers.
     */
    private static long authFailureCounters()
    {
        long total = 0;
        for (final ReplicaNode node : group.nodes)
        {
            total += ClusterStatus.authFailures(node.aeronDirectoryName());
        }
        return total;
    }

    private static int minimalRequest(final RawIngress raw, final int templateId, final long correlationId)
    {
        new MessageHeaderEncoder().wrap(raw.buffer, 0).blockLength(16).templateId(templateId)
            .schemaId(MessageHeaderEncoder.SCHEMA_ID).version(MessageHeaderEncoder.SCHEMA_VERSION);
        raw.buffer.putLong(MessageHeaderEncoder.ENCODED_LENGTH, 1L, MessageHeaderEncoder.BYTE_ORDER);
        raw.buffer.putLong(MessageHeaderEncoder.ENCODED_LENGTH + 8, correlationId, MessageHeaderEncoder.BYTE_ORDER);
        return MessageHeaderEncoder.ENCODED_LENGTH + 16;
    }

    private static byte[] login(final String user, final String secret)
    {
        return Credentials.encode(user, bytes(secret));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
