package io.ferrite.client;

import io.ferrite.codec.sbe.PutMode;

/**
 * When a put stores its value: always, only if the key has no live entry, or only if it has one.
 */
public enum WriteCondition
{
    /** Store whether or not the key exists. */
    ALWAYS(PutMode.UPSERT),
    /** Store only if the key has no live entry ({@code putIfAbsent}). */
    IF_ABSENT(PutMode.PUT_IF_ABSENT),
    /** Store only if the key has a live entry ({@code replace}). */
    IF_PRESENT(PutMode.REPLACE);

    private final PutMode mode;

    WriteCondition(final PutMode mode)
    {
        this.mode = mode;
    }

    PutMode mode()
    {
        return mode;
    }
}
