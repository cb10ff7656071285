/**
 * Ferrite's wire protocol. The schema is {@code src/main/resources/ferrite-schema.xml}; the flyweight encoders and
 * decoders in {@code io.ferrite.codec.sbe} are generated from it by SBE at build time and are never committed.
 * <p>
 * Every request carries a client id and a correlation id (together they name a request for idempotent replay); every
 * response echoes the correlation id. A response fragment may carry several responses back to back.
 */
package io.ferrite.codec;
