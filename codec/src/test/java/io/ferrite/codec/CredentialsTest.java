package io.ferrite.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class CredentialsTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldRoundTripTheWireFormAndRefuseMalformedInput()
    {
        final byte[] encoded = Credentials.encode("alice", bytes("s3cret:with:colons"));
        final Credentials.Login login = Credentials.decode(encoded);
        assertEquals("alice", login.user());
        assertArrayEquals(bytes("s3cret:with:colons"), login.secret());
        assertFalse(login.toString().contains("s3cret"), "a login's text form never shows the secret");

        assertNull(Credentials.decode(null));
        assertNull(Credentials.decode(new byte[0]));
        assertNull(Credentials.decode(Arrays.copyOf(encoded, 3)));
        final byte[] badMagic = encoded.clone();
        badMagic[0] = 'X';
        assertNull(Credentials.decode(badMagic));
        final byte[] userPastEnd = encoded.clone();
        userPastEnd[2] = (byte)200;
        assertNull(Credentials.decode(userPastEnd));
        assertThrows(IllegalArgumentException.class, () -> Credentials.encode("a:b", bytes("x")));
        assertThrows(IllegalArgumentException.class, () -> Credentials.encode("", bytes("x")));
    }

    @Test
    void shouldVerifyHashedSecretsAndTellWhyNot() throws IOException
    {
        final SecureRandom random = new SecureRandom();
        final Path file = tempDir.resolve("credentials");
        final String line = Credentials.hashLine("alice", Credentials.READ_WRITE, bytes("pw"), random);
        assertFalse(line.contains("pw:") || line.endsWith("pw"), "the file holds only a hash: " + line);
        Files.write(file, List.of("# comment", "", line,
            Credentials.hashLine("root", Credentials.ADMIN, bytes(""), random)));
        final Credentials.Store store = Credentials.Store.load(file);
        assertEquals(2, store.size());

        assertEquals(Credentials.READ_WRITE, store.verify(login("alice", "pw")));
        assertEquals(Credentials.ADMIN, store.verify(login("root", "")));
        assertEquals(Credentials.BAD_SECRET, store.verify(login("alice", "pW")));
        assertEquals(Credentials.UNKNOWN_USER, store.verify(login("bob", "pw")));
        assertEquals(Credentials.MALFORMED, store.verify(null));
        assertEquals("bad secret", Credentials.reason(Credentials.BAD_SECRET));

        final String other = Credentials.hashLine("alice", Credentials.READ_WRITE, bytes("pw"), random);
        assertFalse(other.equals(line), "every hash has its own salt");
    }

    @Test
    void shouldRefuseAnInvalidFileNamingTheLine() throws IOException
    {
        final Path file = tempDir.resolve("bad");
        Files.write(file, List.of("# ok", "alice:read-write:pbkdf2-sha256:10:AAAA"));
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> Credentials.Store.load(file));
        assertTrue(ex.getMessage().contains("line 2"), ex.getMessage());

        Files.write(file, List.of("alice:superuser:pbkdf2-sha256:10:AAAA:" + "A".repeat(44)));
        assertTrue(assertThrows(IllegalStateException.class, () -> Credentials.Store.load(file)).getMessage()
            .contains("unknown role"));
    }

    @Test
    void shouldGrantEverythingToAnEmptyPrincipalOnly()
    {
        assertEquals(Credentials.ADMIN, Credentials.roleOf(new byte[0]), "authentication off: every permission");
        assertEquals(Credentials.READ_ONLY, Credentials.roleOf(Credentials.principal("r", Credentials.READ_ONLY)));
        assertEquals("r", Credentials.userOf(Credentials.principal("r", Credentials.READ_ONLY)));
        assertEquals(Credentials.NONE, Credentials.roleOf(new byte[]{ 9, 'x' }));
        assertEquals(Credentials.READ_ONLY, Credentials.parseRole("read-only"));
        assertThrows(IllegalArgumentException.class, () -> Credentials.parseRole("root"));
    }

    @Test
    void shouldParseALoginAndRefuseOneWithoutASecretSeparator()
    {
        final Credentials.Login login = Credentials.decode(Credentials.parseLogin("ops:a:b", "test"));
        assertEquals("ops", login.user());
        assertArrayEquals(bytes("a:b"), login.secret());
        assertThrows(IllegalStateException.class, () -> Credentials.parseLogin("no-colon", "test"));
    }

    private static Credentials.Login login(final String user, final String secret)
    {
        return Credentials.decode(Credentials.encode(user, bytes(secret)));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
