package io.ferrite.engine;

import org.agrona.DirectBuffer;

/**
 * Receives entries during {@link FerriteStore#forEach(EntryVisitor)}; the buffer is only valid during the call
 * and the visitor must not modify the store.
 */
@FunctionalInterface
public interface EntryVisitor
{
    /**
     * @param buffer      holds the key and the value.
     * @param keyOffset   where the key starts in {@code buffer}.
     * @param keyLength   key length in bytes.
     * @param valueOffset where the value starts in {@code buffer}.
     * @param valueLength value length in bytes.
     * @param expireAt    expiry time in epoch milliseconds, 0 for none.
     */
    void visit(DirectBuffer buffer, int keyOffset, int keyLength, int valueOffset, int valueLength, long expireAt);
}
