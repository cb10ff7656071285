package io.ferrite.engine;

/**
 * The one place that decides whether a key is acceptable: 1 to {@link StoreConfiguration#MAX_KEY_LENGTH} bytes.
 */
final class Keys
{
    private Keys()
    {
    }

    static boolean isValidLength(final int keyLength)
    {
        return keyLength > 0 && keyLength <= StoreConfiguration.MAX_KEY_LENGTH;
    }

    static String describeInvalid(final int keyLength)
    {
        return "key length " + keyLength + " is outside [1, " + StoreConfiguration.MAX_KEY_LENGTH + "]";
    }
}
