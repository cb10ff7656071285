package io.ferrite.codec;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ferrite's credentials, shared by every endpoint that authenticates (a replica group's ingress, its archive's
 * control channel, a node's sessions, the stale-read endpoints) and every client that connects to one.
 * <ul>
 *     <li><b>Wire form</b> ({@link #encode}, {@link #decode}): {@code 'F'}, version 1, a uint16 (little-endian)
 *     user length, the user name in UTF-8, then the secret in UTF-8. Sent once per connect (Aeron Cluster's and
 *     Aeron Archive's {@code encodedCredentials}, the node's {@code ConnectRequest}).</li>
 *     <li><b>Principal</b> ({@link #principal}, {@link #roleOf}): what an authenticated session carries: the role
 *     as one byte, then the user name. An empty principal (authentication off) has every permission.</li>
 *     <li><b>Credentials file</b> ({@link Store}, {@link #hashLine}): one user a line,
 *     {@code user:role:pbkdf2-sha256:iterations:salt:hash} (salt and hash in base64), {@code #} starts a comment.
 *     Only the salted PBKDF2 hash of a secret is stored; {@link Store#verify} compares in constant time.</li>
 *     <li><b>Login</b> ({@link #login}): the credentials a connecting process presents, from the file named by
 *     {@value #LOGIN_FILE_PROPERTY} (or the environment variable {@value #LOGIN_FILE_ENV}) holding
 *     {@code user:secret} on its first line, or from the environment variable {@value #LOGIN_ENV}
 *     ({@code user:secret}); never from the command line.</li>
 * </ul>
 * <b>Note:</b> stateless; {@link Store} is immutable and thread-safe.
 */
public final class Credentials
{
    /** No permission: a session that failed to authenticate. */
    public static final int NONE = 0;
    /** Reads (get, multi-get, ping, stats, partition map and plan status). */
    public static final int READ_ONLY = 1;
    /** Reads and writes (put, delete, invalidate, compare-and-set). */
    public static final int READ_WRITE = 2;
    /** Everything: migration, plans, map changes, snapshots, backups, the archive. */
    public static final int ADMIN = 3;

    /** Outcome of {@link Store#verify}: no such user. */
    public static final int UNKNOWN_USER = -1;
    /** Outcome of {@link Store#verify}: the user exists, the secret does not match. */
    public static final int BAD_SECRET = -2;
    /** Outcome of {@link Store#verify}: no credentials, or not in the wire form. */
    public static final int MALFORMED = -3;
    /** Outcome of a verification that was not tried: too many attempts were waiting already. */
    public static final int BUSY = -4;

    /** System property naming the credentials file an endpoint checks against; authentication is on when set. */
    public static final String CREDENTIALS_FILE_PROPERTY = "ferrite.security.credentials.file";
    /** Environment variable naming the credentials file, when the system property is not set. */
    public static final String CREDENTIALS_FILE_ENV = "FERRITE_CREDENTIALS_FILE";
    /** System property naming the file holding this process's login, {@code user:secret}. */
    public static final String LOGIN_FILE_PROPERTY = "ferrite.security.login.file";
    /** Environment variable naming the login file, when the system property is not set. */
    public static final String LOGIN_FILE_ENV = "FERRITE_LOGIN_FILE";
    /** Environment variable holding the login itself, {@code user:secret}, when no login file is named. */
    public static final String LOGIN_ENV = "FERRITE_LOGIN";

    /** PBKDF2 iterations of new hashes (each line of the file records its own count). */
    public static final int DEFAULT_ITERATIONS = 60_000;
    private static final String ALGORITHM = "pbkdf2-sha256";
    private static final String JCA_ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_LENGTH = 16;
    private static final int HASH_BITS = 256;
    private static final byte MAGIC = 'F';
    private static final byte VERSION = 1;
    private static final int WIRE_HEADER = 4;
    private static final int MAX_USER_LENGTH = 256;
    private static final int MAX_SECRET_LENGTH = 1024;
    private static final String[] ROLE_NAMES = { "none", "read-only", "read-write", "admin" };

    private Credentials()
    {
    }

    /**
     * A user name and secret as presented by a client.
     *
     * @param user   the user name.
     * @param secret the secret's UTF-8 bytes.
     */
    public record Login(String user, byte[] secret)
    {
        public String toString()
        {
            return "Login[user=" + user + "]";
        }
    }

    /**
     * The wire form of a user's credentials.
     *
     * @throws IllegalArgumentException if the user name is empty, holds {@code ':'} or a line break, or either part
     *                                  is too long.
     */
    public static byte[] encode(final String user, final byte[] secret)
    {
        final byte[] userBytes = requireValidUser(user).getBytes(StandardCharsets.UTF_8);
        if (secret.length > MAX_SECRET_LENGTH)
        {
            throw new IllegalArgumentException("secret longer than " + MAX_SECRET_LENGTH + " bytes");
        }
        final byte[] encoded = new byte[WIRE_HEADER + userBytes.length + secret.length];
        encoded[0] = MAGIC;
        encoded[1] = VERSION;
        encoded[2] = (byte)userBytes.length;
        encoded[3] = (byte)(userBytes.length >>> 8);
        System.arraycopy(userBytes, 0, encoded, WIRE_HEADER, userBytes.length);
        System.arraycopy(secret, 0, encoded, WIRE_HEADER + userBytes.length, secret.length);
        return encoded;
    }

    /**
     * Read the wire form.
     *
     * @return the login, or {@code null} if {@code encoded} is empty or not in the wire form.
     */
    public static Login decode(final byte[] encoded)
    {
        if (null == encoded || encoded.length < WIRE_HEADER || MAGIC != encoded[0] || VERSION != encoded[1])
        {
            return null;
        }
        final int userLength = (encoded[2] & 0xFF) | ((encoded[3] & 0xFF) << 8);
        if (0 == userLength || userLength > MAX_USER_LENGTH || WIRE_HEADER + userLength > encoded.length ||
            encoded.length - WIRE_HEADER - userLength > MAX_SECRET_LENGTH)
        {
            return null;
        }
        final String user = strictUtf8(encoded, WIRE_HEADER, userLength);
        if (null == user || !isValidUser(user))
        {
            return null;
        }
        return new Login(user, Arrays.copyOfRange(encoded, WIRE_HEADER + userLength, encoded.length));
    }

    /**
     * The principal an authenticated session carries: {@code role} then the user name.
     */
    public static byte[] principal(final String user, final int role)
    {
        final byte[] userBytes = user.getBytes(StandardCharsets.UTF_8);
        final byte[] principal = new byte[1 + userBytes.length];
        principal[0] = (byte)role;
        System.arraycopy(userBytes, 0, principal, 1, userBytes.length);
        return principal;
    }

    /**
     * The role a session's principal grants: {@link #ADMIN} for an empty one (the endpoint does not authenticate),
     * {@link #NONE} for one that is not a Ferrite principal.
     */
    public static int roleOf(final byte[] principal)
    {
        if (null == principal || 0 == principal.length)
        {
            return ADMIN;
        }
        final int role = principal[0];
        return role >= READ_ONLY && role <= ADMIN ? role : NONE;
    }

    /**
     * The user name in a principal, "-" for an empty one.
     */
    public static String userOf(final byte[] principal)
    {
        return null == principal || principal.length < 2 ? "-" :
            new String(principal, 1, principal.length - 1, StandardCharsets.UTF_8);
    }

    /**
     * @return a role's name: read-only, read-write, admin (none for anything else).
     */
    public static String roleName(final int role)
    {
        return role >= READ_ONLY && role <= ADMIN ? ROLE_NAMES[role] : ROLE_NAMES[NONE];
    }

    /**
     * @return the role named {@code name} (read-only, read-write or admin).
     * @throws IllegalArgumentException for any other name.
     */
    public static int parseRole(final String name)
    {
        for (int role = READ_ONLY; role <= ADMIN; role++)
        {
            if (ROLE_NAMES[role].equals(name))
            {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "': use read-only, read-write or admin");
    }

    /**
     * @return why {@link Store#verify} refused, in words.
     */
    public static String reason(final int outcome)
    {
        switch (outcome)
        {
            case UNKNOWN_USER:
                return "unknown user";
            case BAD_SECRET:
                return "bad secret";
            case MALFORMED:
                return "malformed credentials";
            case BUSY:
                return "too many authentication attempts in flight";
            default:
                return outcome >= READ_ONLY ? "authenticated" : "permission denied";
        }
    }

    /**
     * One line of the credentials file for {@code user}: a fresh random salt and the PBKDF2 hash of {@code secret}.
     */
    public static String hashLine(final String user, final int role, final byte[] secret, final SecureRandom random)
    {
        requireValidUser(user);
        if (role < READ_ONLY || role > ADMIN)
        {
            throw new IllegalArgumentException("role must be read-only, read-write or admin: " + role);
        }
        final byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        final Base64.Encoder base64 = Base64.getEncoder();
        return user + ':' + ROLE_NAMES[role] + ':' + ALGORITHM + ':' + DEFAULT_ITERATIONS + ':' +
            base64.encodeToString(salt) + ':' + base64.encodeToString(hash(secret, salt, DEFAULT_ITERATIONS));
    }

    /**
     * Where the credentials file is configured: the system property, else the environment variable.
     *
     * @return the path, or {@code null} when none is configured (authentication off).
     */
    public static Path configuredCredentialsFile()
    {
        return configuredPath(CREDENTIALS_FILE_PROPERTY, CREDENTIALS_FILE_ENV);
    }

    /**
     * This process's login, as configured by {@value #LOGIN_FILE_PROPERTY}, {@value #LOGIN_FILE_ENV} or
     * {@value #LOGIN_ENV} (first found wins).
     *
     * @return the wire form of the login, or {@code null} when none is configured.
     * @throws IllegalStateException if the login file cannot be read or is not {@code user:secret}.
     */
    public static byte[] login()
    {
        final Path file = configuredPath(LOGIN_FILE_PROPERTY, LOGIN_FILE_ENV);
        if (null != file)
        {
            try
            {
                final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                return parseLogin(lines.isEmpty() ? "" : lines.get(0), "login file " + file);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot read the login file " + file + ": " + ex, ex);
            }
        }
        final String login = System.getenv(LOGIN_ENV);
        return null == login || login.isEmpty() ? null : parseLogin(login, "environment variable " + LOGIN_ENV);
    }

    /**
     * Parse {@code user:secret} into the wire form.
     *
     * @param source what the text came from, for the error message.
     * @throws IllegalStateException if it is not {@code user:secret}.
     */
    public static byte[] parseLogin(final String login, final String source)
    {
        final int colon = login.indexOf(':');
        if (colon < 1 || !isValidUser(login.substring(0, colon)))
        {
            throw new IllegalStateException(source + " must hold user:secret");
        }
        return encode(login.substring(0, colon), login.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
    }

    private static Path configuredPath(final String property, final String env)
    {
        String value = System.getProperty(property);
        if (null == value || value.isEmpty())
        {
            value = System.getenv(env);
        }
        return null == value || value.isEmpty() ? null : Paths.get(value);
    }

    private static byte[] hash(final byte[] secret, final byte[] salt, final int iterations)
    {
        final CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(secret));
        final char[] chars = new char[decoded.remaining()];
        decoded.get(chars);
        Arrays.fill(decoded.array(), '\0');
        final PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try
        {
            return SecretKeyFactory.getInstance(JCA_ALGORITHM).generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK has no " + JCA_ALGORITHM, ex);
        }
        finally
        {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    private static String requireValidUser(final String user)
    {
        if (!isValidUser(user))
        {
            throw new IllegalArgumentException("a user name is 1-" + MAX_USER_LENGTH +
                " bytes without ':', '#', whitespace or control characters: '" + user + "'");
        }
        return user;
    }

    private static boolean isValidUser(final String user)
    {
        if (null == user || user.isEmpty() || user.getBytes(StandardCharsets.UTF_8).length > MAX_USER_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < user.length(); i++)
        {
            final char c = user.charAt(i);
            if (':' == c || '#' == c || Character.isWhitespace(c) || Character.isISOControl(c))
            {
                return false;
            }
        }
        return true;
    }

    private static String strictUtf8(final byte[] bytes, final int offset, final int length)
    {
        try
        {
            final CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, offset, length));
            return chars.toString();
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }

    /**
     * The users of a credentials file, with their roles and hashed secrets.
     */
    public static final class Store
    {
        private static final byte[] DUMMY_SALT = new byte[SALT_LENGTH];

        private final Map<String, Entry> users;
        private final Path file;

        private record Entry(int role, int iterations, byte[] salt, byte[] hash)
        {
        }

        private Store(final Path file, final Map<String, Entry> users)
        {
            this.file = file;
            this.users = users;
        }

        /**
         * Read a credentials file.
         *
         * @throws IllegalStateException naming the line if the file cannot be read or a line is invalid.
         */
        public static Store load(final Path file)
        {
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot read the credentials file " + file + ": " + ex, ex);
            }
            final Map<String, Entry> users = new HashMap<>();
            for (int i = 0; i < lines.size(); i++)
            {
                final String line = lines.get(i).trim();
                if (line.isEmpty() || line.startsWith("#"))
                {
                    continue;
                }
                final String[] parts = line.split(":", -1);
                try
                {
                    if (6 != parts.length || !ALGORITHM.equals(parts[2]))
                    {
                        throw new IllegalArgumentException("expected user:role:" + ALGORITHM +
                            ":iterations:salt:hash");
                    }
                    final Base64.Decoder base64 = Base64.getDecoder();
                    final Entry entry = new Entry(parseRole(parts[1]), Integer.parseInt(parts[3]),
                        base64.decode(parts[4]), base64.decode(parts[5]));
                    if (entry.iterations < 1 || entry.hash.length != HASH_BITS / 8 || !isValidUser(parts[0]))
                    {
                        throw new IllegalArgumentException("bad user name, iteration count or hash length");
                    }
                    if (null != users.put(parts[0], entry))
                    {
                        throw new IllegalArgumentException("user " + parts[0] + " appears twice");
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalStateException(file + " line " + (i + 1) + ": " + ex.getMessage(), ex);
                }
            }
            return new Store(file, users);
        }

        /**
         * Check credentials in their wire form. Takes one PBKDF2 derivation (tens of milliseconds) whether or not
         * the user exists, so the time taken does not tell which users exist.
         *
         * @return the user's role ({@link #READ_ONLY}, {@link #READ_WRITE}, {@link #ADMIN}) or why not:
         * {@link #UNKNOWN_USER}, {@link #BAD_SECRET}, {@link #MALFORMED}.
         */
        public int verify(final Login login)
        {
            if (null == login)
            {
                return MALFORMED;
            }
            final Entry entry = users.get(login.user());
            final byte[] derived = hash(login.secret(), null == entry ? DUMMY_SALT : entry.salt,
                null == entry ? DEFAULT_ITERATIONS : entry.iterations);
            if (null == entry)
            {
                return UNKNOWN_USER;
            }
            return MessageDigest.isEqual(derived, entry.hash) ? entry.role : BAD_SECRET;
        }

        /**
         * @return the user's role, or {@link #NONE} if the file has no such user.
         */
        public int roleOf(final String user)
        {
            final Entry entry = users.get(user);
            return null == entry ? NONE : entry.role;
        }

        public int size()
        {
            return users.size();
        }

        public Path file()
        {
            return file;
        }
    }
}
