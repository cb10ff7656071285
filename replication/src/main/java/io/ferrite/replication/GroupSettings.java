package io.ferrite.replication;

import io.ferrite.codec.RequestLimits;
import io.ferrite.codec.sbe.GroupSettingsDecoder;
import io.ferrite.codec.sbe.GroupSettingsEncoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.engine.FerriteStore;
import org.agrona.MutableDirectBuffer;

/**
 * The settings every member of a group must share, because they decide what the same log does to a member's state
 * (store capacity, entry limit and eviction policy, request limits, deduplication bound) or how it is read (the
 * Ferrite version and schema version). Members that differ would evict, refuse or answer differently from the
 * same commands, so a member whose settings differ from its group's refuses to take part.
 * <p>
 * <b>Note:</b> immutable, so thread-safe.
 */
record GroupSettings(
    String ferriteVersion,
    int schemaVersion,
    long storeCapacityBytes,
    long storeMaxEntries,
    String storePolicy,
    int maxKeyLength,
    int maxValueLength,
    int maxMultiGetKeys,
    int dedupMaxClients)
{
    /** This build's version; members of one group must run the same. */
    static final String FERRITE_VERSION = "0.1.0-SNAPSHOT";

    /**
     * This member's settings, as its opened store and context have them.
     */
    static GroupSettings of(final FerriteStore store, final RequestLimits limits, final int dedupMaxClients)
    {
        return new GroupSettings(FERRITE_VERSION, MessageHeaderEncoder.SCHEMA_VERSION, store.capacityBytes(),
            store.maxEntries(), String.valueOf(store.policyType()), limits.maxKeyLength(), limits.maxValueLength(),
            limits.maxMultiGetKeys(), dedupMaxClients);
    }

    static GroupSettings decode(final GroupSettingsDecoder decoder)
    {
        final int schemaVersion = decoder.schemaVersion();
        final long capacity = decoder.storeCapacityBytes();
        final long maxEntries = decoder.storeMaxEntries();
        final int maxKey = decoder.maxKeyLength();
        final int maxValue = decoder.maxValueLength();
        final int maxMultiGet = decoder.maxMultiGetKeys();
        final int dedup = decoder.dedupMaxClients();
        final String policy = decoder.storePolicy();
        final String version = decoder.ferriteVersion();
        return new GroupSettings(version, schemaVersion, capacity, maxEntries, policy, maxKey, maxValue, maxMultiGet,
            dedup);
    }

    /**
     * Encode with its header at {@code offset}.
     *
     * @return the encoded length.
     */
    int encode(final MutableDirectBuffer buffer, final int offset)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new GroupSettingsEncoder()
            .wrapAndApplyHeader(buffer, offset, new MessageHeaderEncoder())
            .schemaVersion(schemaVersion)
            .storeCapacityBytes(storeCapacityBytes)
            .storeMaxEntries(storeMaxEntries)
            .maxKeyLength(maxKeyLength)
            .maxValueLength(maxValueLength)
            .maxMultiGetKeys(maxMultiGetKeys)
            .dedupMaxClients(dedupMaxClients)
            .storePolicy(storePolicy)
            .ferriteVersion(ferriteVersion)
            .encodedLength();
    }

    /**
     * What differs between this member's settings and the group's, for the refusal message.
     */
    String differences(final GroupSettings group)
    {
        final StringBuilder sb = new StringBuilder();
        differ(sb, "ferriteVersion", ferriteVersion, group.ferriteVersion);
        differ(sb, "schemaVersion", schemaVersion, group.schemaVersion);
        differ(sb, "storeCapacityBytes", storeCapacityBytes, group.storeCapacityBytes);
        differ(sb, "storeMaxEntries", storeMaxEntries, group.storeMaxEntries);
        differ(sb, "storePolicy", storePolicy, group.storePolicy);
        differ(sb, "maxKeyLength", maxKeyLength, group.maxKeyLength);
        differ(sb, "maxValueLength", maxValueLength, group.maxValueLength);
        differ(sb, "maxMultiGetKeys", maxMultiGetKeys, group.maxMultiGetKeys);
        differ(sb, "dedupMaxClients", dedupMaxClients, group.dedupMaxClients);
        return sb.toString();
    }

    private static void differ(final StringBuilder sb, final String name, final Object mine, final Object group)
    {
        if (!mine.equals(group))
        {
            sb.append(sb.length() == 0 ? "" : ", ").append(name).append(' ').append(mine).append(" (group: ")
                .append(group).append(')');
        }
    }
}
