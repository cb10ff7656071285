package io.ferrite.bench.engine;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.hash.AbstractData;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.serialization.DataAccess;

/**
 * A garbage-free Chronicle Map {@link DataAccess} for {@code byte[]} keys and values of at most
 * {@code maxLength} bytes: it copies the array into a native store it keeps, where Chronicle Map 2026.1's own
 * {@code ByteArrayDataAccess} wraps every array in a new {@code HeapBytesStore} (about 192 bytes per call).
 * <p>
 * <b>Note:</b> not thread-safe; Chronicle Map {@link #copy()}s it for each thread's context.
 */
public final class ReusingByteArrayDataAccess extends AbstractData<byte[]> implements DataAccess<byte[]>
{
    private int maxLength;
    private transient BytesStore<?, Void> store;
    private transient byte[] array;

    /**
     * For Chronicle's deserialisation of a persisted map's header.
     */
    public ReusingByteArrayDataAccess()
    {
        this(BenchmarkKeys.VALUE_LENGTH);
    }

    public ReusingByteArrayDataAccess(final int maxLength)
    {
        this.maxLength = maxLength;
    }

    public RandomDataInput bytes()
    {
        return store;
    }

    public long offset()
    {
        return 0;
    }

    public long size()
    {
        return array.length;
    }

    public byte[] get()
    {
        return array;
    }

    public byte[] getUsing(final byte[] using)
    {
        final byte[] result = null != using && using.length == array.length ? using : new byte[array.length];
        System.arraycopy(array, 0, result, 0, array.length);
        return result;
    }

    public Data<byte[]> getData(final byte[] instance)
    {
        if (null == store)
        {
            store = BytesStore.nativeStoreWithFixedCapacity(maxLength);
        }
        if (instance.length > maxLength)
        {
            throw new IllegalArgumentException("array of " + instance.length + " bytes, at most " + maxLength);
        }
        array = instance;
        store.write(0, instance, 0, instance.length);
        return this;
    }

    public void uninit()
    {
        array = null;
    }

    public DataAccess<byte[]> copy()
    {
        return new ReusingByteArrayDataAccess(maxLength);
    }
}
