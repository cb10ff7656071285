package io.ferrite.client;

import io.aeron.security.CredentialsSupplier;

/**
 * The credentials a client presents to a replica group's authenticator (Aeron Cluster's connect), in
 * {@link io.ferrite.codec.Credentials}' wire form; empty when none are configured. Ferrite's authenticator asks no
 * challenge; if one comes, the same credentials answer it.
 */
final class PresentedCredentials implements CredentialsSupplier
{
    private static final byte[] NONE = new byte[0];

    private final byte[] credentials;

    PresentedCredentials(final byte[] credentials)
    {
        this.credentials = null == credentials ? NONE : credentials;
    }

    public byte[] encodedCredentials()
    {
        return credentials;
    }

    public byte[] onChallenge(final byte[] encodedChallenge)
    {
        return credentials;
    }
}
