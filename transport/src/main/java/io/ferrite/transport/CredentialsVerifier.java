package io.ferrite.transport;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.security.Authenticator;
import io.aeron.security.AuthenticatorSupplier;
import io.aeron.security.CredentialsSupplier;
import io.aeron.security.NullCredentialsSupplier;
import io.aeron.security.SessionProxy;
import io.ferrite.codec.Credentials;
import org.agrona.collections.Long2ObjectHashMap;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Checks credentials against a {@link Credentials.Store} on a thread of its own, so the PBKDF2 derivation (tens of
 * milliseconds) never stalls an endpoint's duty cycle, and counts and logs every refusal with its reason (unknown
 * user, bad secret, malformed credentials, permission denied). One verifier serves every endpoint of a process: a
 * node's sessions and stale-read endpoints, a replica group's ingress ({@link #authenticatorSupplier}) and its
 * archive's control channel.
 * <p>
 * <b>Note:</b> thread-safe; close it after the endpoints that use it.
 */
public final class CredentialsVerifier implements AutoCloseable
{
    /** Aeron counter type of an endpoint's refused authentication attempts; its label names the endpoint. */
    public static final int AUTH_FAILURES_TYPE_ID = 7340;
    /** Attempts waiting for the verifier thread beyond which new ones are refused at once ({@code BUSY}). */
    public static final int MAX_QUEUED = 64;
    private static final long ATTEMPT_TIMEOUT_MS = 60_000;

    private final Credentials.Store store;
    private final Consumer<String> log;
    private final ThreadPoolExecutor executor;
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param store the users and their hashed secrets.
     * @param log   where refusals are reported, one line each (never the secret).
     */
    public CredentialsVerifier(final Credentials.Store store, final Consumer<String> log)
    {
        this.store = store;
        this.log = log;
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED),
            (runnable) ->
            {
                final Thread thread = new Thread(runnable, "ferrite-credentials");
                thread.setDaemon(true);
                return thread;
            });
    }

    /**
     * The verifier for the credentials file configured in this process ({@link Credentials#configuredCredentialsFile}).
     *
     * @return the verifier, or {@code null} when no file is configured (authentication off).
     */
    public static CredentialsVerifier fromConfiguration(final Consumer<String> log)
    {
        final Path file = Credentials.configuredCredentialsFile();
        return null == file ? null : new CredentialsVerifier(Credentials.Store.load(file), log);
    }

    public Credentials.Store store()
    {
        return store;
    }

    /**
     * Check credentials in their wire form on the verifier's thread.
     *
     * @return completes with the role or the refusal outcome ({@link Credentials.Store#verify}, or
     * {@link Credentials#BUSY}).
     */
    public CompletableFuture<Integer> verify(final byte[] encodedCredentials)
    {
        final Credentials.Login login = Credentials.decode(encodedCredentials);
        if (null == login)
        {
            return CompletableFuture.completedFuture(Credentials.MALFORMED);
        }
        try
        {
            return CompletableFuture.supplyAsync(() -> store.verify(login), executor);
        }
        catch (final RejectedExecutionException ex)
        {
            return CompletableFuture.completedFuture(Credentials.BUSY);
        }
    }

    /**
     * Count and log a refused attempt.
     *
     * @param endpoint what refused it (for example "group 0 ingress").
     * @param user     the user it claimed, or null when unknown.
     * @param outcome  a refusal outcome, or a role lower than the endpoint requires (logged as permission denied).
     */
    public void refused(final String endpoint, final String user, final int outcome)
    {
        failures.incrementAndGet();
        log.accept("authentication refused on " + endpoint + " for user " + (null == user ? "-" : user) + ": " +
            (outcome >= Credentials.NONE ? "permission denied (role " + Credentials.roleName(outcome) + ")" :
            Credentials.reason(outcome)));
    }

    /**
     * @return refused attempts over every endpoint of this verifier since it was created.
     */
    public long failures()
    {
        return failures.get();
    }

    /**
     * An Aeron {@link AuthenticatorSupplier} (for {@code ConsensusModule.Context} or {@code Archive.Context}) whose
     * authenticators accept sessions whose user has at least {@code minimumRole}, with the principal
     * {@link Credentials#principal}; each counts its refusals in an Aeron counter of
     * {@link #AUTH_FAILURES_TYPE_ID} allocated from the endpoint's own client.
     *
     * @param aeron the endpoint's Aeron client, asked for once the endpoint has concluded (null: no counter).
     */
    public AuthenticatorSupplier authenticatorSupplier(
        final String endpoint, final int minimumRole, final Supplier<Aeron> aeron)
    {
        return () ->
        {
            final Aeron client = aeron.get();
            final Counter counter = null == client ? null :
                client.addCounter(AUTH_FAILURES_TYPE_ID, "ferrite auth failures: " + endpoint);
            return new SessionAuthenticator(endpoint, minimumRole, counter);
        };
    }

    /**
     * An Aeron {@link CredentialsSupplier} (for {@code AeronCluster.Context}, {@code AeronArchive.Context},
     * {@code ClusterBackup.Context}) presenting {@code credentials}, or none when null.
     */
    public static CredentialsSupplier credentialsSupplier(final byte[] credentials)
    {
        if (null == credentials)
        {
            return new NullCredentialsSupplier();
        }
        return new CredentialsSupplier()
        {
            public byte[] encodedCredentials()
            {
                return credentials;
            }

            public byte[] onChallenge(final byte[] encodedChallenge)
            {
                return credentials;
            }
        };
    }

    public void close()
    {
        executor.shutdownNow();
    }

    private static final class Attempt
    {
        final String user;
        final CompletableFuture<Integer> outcome;
        final long startMs;

        Attempt(final String user, final CompletableFuture<Integer> outcome, final long startMs)
        {
            this.user = user;
            this.outcome = outcome;
            this.startMs = startMs;
        }
    }

    /**
     * Aeron calls it on the endpoint's thread: {@code onConnectRequest} starts the check, {@code onConnectedSession}
     * (called again on every duty cycle until the session is decided) authenticates or rejects once it is done.
     */
    private final class SessionAuthenticator implements Authenticator
    {
        private final String endpoint;
        private final int minimumRole;
        private final Counter counter;
        private final Long2ObjectHashMap<Attempt> attempts = new Long2ObjectHashMap<>();

        SessionAuthenticator(final String endpoint, final int minimumRole, final Counter counter)
        {
            this.endpoint = endpoint;
            this.minimumRole = minimumRole;
            this.counter = counter;
        }

        public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
        {
            final Iterator<Attempt> it = attempts.values().iterator();
            while (it.hasNext())
            {
                if (nowMs - it.next().startMs > ATTEMPT_TIMEOUT_MS)
                {
                    it.remove();
                }
            }
            final Credentials.Login login = Credentials.decode(encodedCredentials);
            attempts.put(sessionId, new Attempt(null == login ? null : login.user(), verify(encodedCredentials),
                nowMs));
        }

        public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
        {
        }

        public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
        {
            final Attempt attempt = attempts.get(sessionProxy.sessionId());
            if (null == attempt)
            {
                sessionProxy.reject();
                return;
            }
            if (!attempt.outcome.isDone())
            {
                return;
            }
            final int outcome = attempt.outcome.getNow(Credentials.MALFORMED);
            if (outcome >= minimumRole)
            {
                if (sessionProxy.authenticate(Credentials.principal(attempt.user, outcome)))
                {
                    attempts.remove(sessionProxy.sessionId());
                }
                return;
            }
            attempts.remove(sessionProxy.sessionId());
            sessionProxy.reject();
            refused(endpoint, attempt.user, outcome);
            if (null != counter)
            {
                counter.incrementRelease();
            }
        }

        public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
        {
            attempts.remove(sessionProxy.sessionId());
            sessionProxy.reject();
        }
    }
}
