package io.ferrite.transport;

import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class HopRecorderTest
{
    @TempDir
    File dir;

    @AfterEach
    void clearProperty()
    {
        System.clearProperty(HopRecorder.FILE_PROP_NAME);
    }

    @Test
    void shouldRecordStampedPutsOnlyAndNothingWhenOff() throws Exception
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
        final int stamped = encodePut(message, 16, 4242L);
        final HopRecorder off = HopRecorder.forMember(0, 0);
        off.begin(1, TimeUnit.MILLISECONDS, true, message, 0, stamped);
        off.end();
        off.close();
        assertEquals(0, dir.list().length, "diagnostic mode off: no file");

        System.setProperty(HopRecorder.FILE_PROP_NAME, new File(dir, "hops").getPath());
        final HopRecorder recorder = HopRecorder.forMember(3, 1);
        recorder.begin(7, TimeUnit.MILLISECONDS, true, message, 0, stamped);
        recorder.end();
        final int tooShort = encodePut(message, 4, 0);
        recorder.begin(8, TimeUnit.MILLISECONDS, false, message, 0, tooShort);
        recorder.end();
        recorder.close();

        final File file = new File(dir, "hops-group-3-member-1.hops");
        assertTrue(file.exists(), "recorder file");
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file.toPath())).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, bytes.getLong(0), "one stamped PUT recorded; the 4-byte value has no stamp");
        final int at = HopRecorder.HEADER_LENGTH;
        assertEquals(4242L, bytes.getLong(at), "client stamp");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(7), bytes.getLong(at + 8), "log time in ns");
        assertTrue(bytes.getLong(at + 24) >= bytes.getLong(at + 16), "apply end after apply start");
        assertEquals(1, bytes.getLong(at + 32), "leader");
        assertFalse(new File(dir, "hops-group-3-member-0.hops").exists());
    }

    private static int encodePut(final UnsafeBuffer buffer, final int valueLength, final long stamp)
    {
        final byte[] value = new byte[valueLength];
        if (valueLength >= Long.BYTES)
        {
            new UnsafeBuffer(value).putLong(0, stamp, ByteOrder.LITTLE_ENDIAN);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + new PutRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clientId(1)
            .correlationId(2)
            .ttlMs(0)
            .mode(PutMode.UPSERT)
            .putKey(new byte[]{1, 2, 3}, 0, 3)
            .putValue(value, 0, valueLength)
            .encodedLength();
    }
}
