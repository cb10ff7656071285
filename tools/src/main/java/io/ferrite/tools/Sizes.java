package io.ferrite.tools;

/**
 * Parses sizes such as {@code 65536}, {@code 64k}, {@code 64m}, {@code 1g}.
 */
final class Sizes
{
    private Sizes()
    {
    }

    static long parse(final String text)
    {
        final String value = text.trim().toLowerCase();
        final char unit = value.isEmpty() ? ' ' : value.charAt(value.length() - 1);
        final long multiplier;
        switch (unit)
        {
            case 'k':
                multiplier = 1024L;
                break;
            case 'm':
                multiplier = 1024L * 1024;
                break;
            case 'g':
                multiplier = 1024L * 1024 * 1024;
                break;
            default:
                return Long.parseLong(value);
        }
        return Long.parseLong(value.substring(0, value.length() - 1)) * multiplier;
    }
}
