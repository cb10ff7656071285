package io.ferrite.tools;

import io.ferrite.codec.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Manages a credentials file: {@code ferrite credentials add USER --role ROLE} reads the secret from a prompt (or
 * the first line of standard input when it is not a terminal) and stores its salted PBKDF2 hash; {@code remove}
 * and {@code list} do what they say. The secret never appears on the command line.
 */
@Command(name = "credentials", description = "Create or change the credentials file members and nodes check.",
    subcommands = { CredentialsCommand.Add.class, CredentialsCommand.Remove.class, CredentialsCommand.ListUsers.class })
final class CredentialsCommand implements Runnable
{
    public void run()
    {
        new picocli.CommandLine(this).usage(System.out);
    }

    abstract static class FileOption
    {
        @Option(names = "--file", description = "The credentials file (default: ${DEFAULT-VALUE}, or " +
            Credentials.CREDENTIALS_FILE_ENV + " when set).", defaultValue = "ferrite-credentials")
        Path file;

        Path file()
        {
            final Path configured = Credentials.configuredCredentialsFile();
            return null != configured && "ferrite-credentials".equals(file.toString()) ? configured : file;
        }

        List<String> readLines() throws IOException
        {
            return Files.exists(file()) ? new ArrayList<>(Files.readAllLines(file(), StandardCharsets.UTF_8)) :
                new ArrayList<>();
        }

        void writeLines(final List<String> lines) throws IOException
        {
            final Path target = file();
            final Path temp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            try
            {
                Files.createFile(temp,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            catch (final UnsupportedOperationException ex)
            {
                Files.createFile(temp);
            }
            Files.write(temp, lines, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }

        static int indexOf(final List<String> lines, final String user)
        {
            for (int i = 0; i < lines.size(); i++)
            {
                if (lines.get(i).startsWith(user + ":"))
                {
                    return i;
                }
            }
            return -1;
        }
    }

    @Command(name = "add", description = "Add a user, or replace its secret and role. The secret is read from a " +
        "prompt, or from the first line of standard input when that is not a terminal.")
    static final class Add extends FileOption implements Callable<Integer>
    {
        @Parameters(index = "0", description = "The user name.")
        String user;

        @Option(names = "--role", required = true, description = "read-only, read-write or admin.")
        String role;

        public Integer call() throws IOException
        {
            final int parsedRole = Credentials.parseRole(role);
            Credentials.encode(user, new byte[0]); // checks the user name before asking for a secret
            final byte[] secret = readSecret();
            if (secret.length == 0)
            {
                throw new IllegalArgumentException("empty secret");
            }
            final String line = Credentials.hashLine(user, parsedRole, secret, new SecureRandom());
            Arrays.fill(secret, (byte)0);
            final List<String> lines = readLines();
            final int existing = indexOf(lines, user);
            if (existing >= 0)
            {
                lines.set(existing, line);
            }
            else
            {
                lines.add(line);
            }
            writeLines(lines);
            Credentials.Store.load(file());
            System.out.println((existing >= 0 ? "UPDATED " : "ADDED ") + user + " (" + role + ") in " + file());
            return 0;
        }

        private byte[] readSecret() throws IOException
        {
            final Console console = System.console();
            if (null != console)
            {
                final char[] first = console.readPassword("secret for %s: ", user);
                final char[] again = console.readPassword("again: ");
                if (null == first || !Arrays.equals(first, again))
                {
                    throw new IllegalArgumentException("the secrets differ");
                }
                final byte[] secret = new String(first).getBytes(StandardCharsets.UTF_8);
                Arrays.fill(first, '\0');
                Arrays.fill(again, '\0');
                return secret;
            }
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            final String secret = in.readLine();
            if (null == secret)
            {
                throw new IllegalArgumentException("no secret on standard input");
            }
            return secret.getBytes(StandardCharsets.UTF_8);
        }
    }

    @Command(name = "remove", description = "Remove a user.")
    static final class Remove extends FileOption implements Callable<Integer>
    {
        @Parameters(index = "0", description = "The user name.")
        String user;

        public Integer call() throws IOException
        {
            final List<String> lines = readLines();
            final int existing = indexOf(lines, user);
            if (existing < 0)
            {
                System.out.println("NOT_FOUND " + user);
                return 1;
            }
            lines.remove(existing);
            writeLines(lines);
            System.out.println("REMOVED " + user);
            return 0;
        }
    }

    @Command(name = "list", description = "List the users and their roles (never the hashes).")
    static final class ListUsers extends FileOption implements Callable<Integer>
    {
        public Integer call() throws IOException
        {
            Credentials.Store.load(file());
            for (final String line : readLines())
            {
                final String trimmed = line.trim();
                if (!trimmed.isEmpty() && !trimmed.startsWith("#"))
                {
                    final String[] parts = trimmed.split(":", 3);
                    System.out.println(parts[0] + " " + parts[1]);
                }
            }
            return 0;
        }
    }
}
