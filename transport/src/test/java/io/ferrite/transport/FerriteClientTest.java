package io.ferrite.transport;

import io.ferrite.client.WriteCondition;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.FerriteRequestException;
import io.ferrite.client.NodeStats;
import io.ferrite.codec.sbe.ErrorCode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class FerriteClientTest
{
    private final TestNodes nodes = new TestNodes();
    private FerriteNode node;
    private FerriteClient client;

    @BeforeEach
    void before()
    {
        node = FerriteNode.launch(nodes.nodeContext(TestNodes.freeUdpPort()));
        client = FerriteClient.connect(nodes.clientContext(node));
    }

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(client, node);
        assertEquals(List.of(), nodes.errors);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPutGetAndDeleteThroughBlockingApi()
    {
        assertNull(client.get("user:42"));
        client.put("user:42", "{\"name\":\"Ada\"}");
        assertEquals("{\"name\":\"Ada\"}", client.get("user:42"));
        client.put(bytes("k"), new byte[0]);
        assertArrayEquals(new byte[0], client.get(bytes("k")));
        assertTrue(client.delete("user:42"));
        assertFalse(client.delete("user:42"));
        assertNull(client.get("user:42"));
        client.put("session:1", "x");
        assertTrue(client.invalidate(bytes("session:1")));
        assertNull(client.get("session:1"));
    }

    @Test
    void shouldHonourPutIfAbsentAndReplace()
    {
        assertFalse(client.replace(bytes("a"), bytes("1"), Duration.ZERO));
        assertTrue(client.putIfAbsent(bytes("a"), bytes("1"), Duration.ZERO));
        assertFalse(client.putIfAbsent(bytes("a"), bytes("2"), Duration.ZERO));
        assertEquals("1", client.get("a"));
        assertTrue(client.replace(bytes("a"), bytes("3"), Duration.ZERO));
        assertEquals("3", client.get("a"));
    }

    @Test
    void shouldCompareAndSetOnANode() throws Exception
    {
        assertFalse(client.compareAndSet(bytes("c"), bytes("x"), bytes("y")), "no value: nothing to compare");
        assertEquals(null, client.get("c"), "a failed compare-and-set writes nothing");
        client.put(bytes("c"), bytes("v1"));
        assertFalse(client.compareAndSet(bytes("c"), bytes("v0"), bytes("v2")), "a different value is not replaced");
        assertEquals("v1", client.get("c"));
        assertTrue(client.compareAndSet(bytes("c"), bytes("v1"), bytes("v2")), "the expected value is replaced");
        assertEquals("v2", client.get("c"));
        assertTrue(client.compareAndSetAsync(bytes("c"), bytes("v2"), bytes("v3")).get(5, TimeUnit.SECONDS));
        assertEquals("v3", client.get("c"));

        // two threads racing the same increment: every success is one step, so none is lost
        client.put(bytes("counter"), bytes("0"));
        final int perThread = 200;
        final Thread[] threads = new Thread[2];
        final AtomicInteger successes = new AtomicInteger();
        for (int t = 0; t < threads.length; t++)
        {
            threads[t] = new Thread(() ->
            {
                for (int done = 0; done < perThread; )
                {
                    final String seen = client.get("counter");
                    if (client.compareAndSet(bytes("counter"), bytes(seen),
                        bytes(Integer.toString(Integer.parseInt(seen) + 1))))
                    {
                        successes.incrementAndGet();
                        done++;
                    }
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertEquals(2 * perThread, successes.get());
        assertEquals(Integer.toString(2 * perThread), client.get("counter"),
            "each successful compare-and-set counted exactly once");
    }

    @Test
    void shouldExpireEntriesAfterTheirTtl()
    {
        client.put("ttl", "soon gone", Duration.ofMillis(50));
        assertEquals("soon gone", client.get("ttl"));
        TestNodes.awaitTrue("expiry", 5_000, () -> null == client.get("ttl"));
    }

    @Test
    void shouldMultiGetInOrderWithMisses()
    {
        client.put("m1", "one");
        client.put("m3", "three");
        final List<byte[]> values = client.multiGet(List.of(bytes("m1"), bytes("m2"), bytes("m3")));
        assertEquals(3, values.size());
        assertArrayEquals(bytes("one"), values.get(0));
        assertNull(values.get(1));
        assertArrayEquals(bytes("three"), values.get(2));
    }

    @Test
    void shouldPipelineManyAsyncRequests()
    {
        final int count = 5_000;
        final List<CompletableFuture<Boolean>> puts = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            puts.add(client.putAsync(bytes("p" + i), bytes("v" + i)));
        }
        CompletableFuture.allOf(puts.toArray(new CompletableFuture<?>[0])).join();
        puts.forEach((future) -> assertTrue(future.join()));

        final List<CompletableFuture<byte[]>> gets = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            gets.add(client.getAsync(bytes("p" + i)));
        }
        for (int i = 0; i < count; i++)
        {
            assertArrayEquals(bytes("v" + i), gets.get(i).join());
        }
        assertTrue(client.deleteAsync(bytes("p0")).join());
        assertFalse(client.invalidateAsync(bytes("p0")).join());
        assertEquals(2, client.multiGetAsync(List.of(bytes("p1"), bytes("p2"))).join().size());
        final NodeStats stats = client.statsAsync().join();
        assertTrue(stats.puts() >= count);

        final Map<String, Long> counters = NodeCountersReader.read(node.aeronDirectoryName());
        final long messages = counters.get("response messages");
        System.out.printf("pipelined: %d responses in %d messages%n", stats.requests(), messages);
        assertTrue(messages < stats.requests(), "responses were not batched: " + messages + " messages");
    }

    @Test
    void shouldServeOtherCallersWhileAnAsyncCallbackBlocks() throws Exception
    {
        // a future's callback runs on the thread that completes it (here the background poller); the client's lock
        // must not be held then, or every blocking caller of the client waits for the callback (before: submit
        // blocked on the lock)
        client.put("blocked", "1");
        final Thread main = Thread.currentThread();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        try
        {
            for (int attempt = 0; attempt < 100 && entered.getCount() > 0; attempt++)
            {
                client.getAsync(bytes("blocked")).thenRun(() ->
                {
                    if (Thread.currentThread() != main)
                    {
                        entered.countDown();
                        awaitQuietly(release);
                    }
                });
                entered.await(50, TimeUnit.MILLISECONDS);
            }
            assertTrue(entered.await(5, TimeUnit.SECONDS), "no callback ran on another thread than the caller's");

            final ExecutorService other = Executors.newSingleThreadExecutor();
            try
            {
                final Future<String> call = other.submit(() ->
                {
                    client.put("other", "2");
                    return client.get("other");
                });
                // (async requests are completed by the poller, which this callback holds up: callbacks must be short)
                assertEquals("2", within(call, "a blocking call on another thread"));
            }
            finally
            {
                other.shutdownNow();
            }
        }
        finally
        {
            release.countDown();
        }
    }

    private static <T> T within(final Future<T> future, final String what) throws Exception
    {
        try
        {
            return future.get(5, TimeUnit.SECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new AssertionError(what + " did not finish within 5 s while another request's callback was running");
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldServeZeroCopyApiWithoutAllocating()
    {
        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final int keyLength = key.putStringWithoutLengthAscii(0, "zero-copy-key");
        value.setMemory(0, 100, (byte)7);

        assertEquals(FerriteClient.NOT_FOUND, client.get(key, 0, keyLength, dst, 0));
        assertTrue(client.put(key, 0, keyLength, value, 0, 100, Duration.ZERO, WriteCondition.ALWAYS));
        assertFalse(client.put(key, 0, keyLength, value, 0, 100, Duration.ZERO, WriteCondition.IF_ABSENT));
        assertEquals(100, client.get(key, 0, keyLength, dst, 0));
        assertEquals(100, client.get(key, 0, keyLength, new UnsafeBuffer(new byte[10]), 0), "too small: length only");
        for (int i = 0; i < 100; i++)
        {
            assertEquals(7, dst.getByte(i));
        }

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < 2_000; i++)
        {
            client.put(key, 0, keyLength, value, 0, 100);
            client.get(key, 0, keyLength, dst, 0);
        }
        final int ops = 5_000;
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < ops; i++)
        {
            client.put(key, 0, keyLength, value, 0, 100);
            client.get(key, 0, keyLength, dst, 0);
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        System.out.printf("zero-copy: %d bytes allocated over %d requests%n", allocated, 2 * ops);
        assertTrue(allocated < 16 * 1024, "zero-copy calls allocated " + allocated + " bytes for " + 2 * ops + " ops");
        assertTrue(client.delete(key, 0, keyLength));
    }

    @Test
    void shouldServeManyApplicationThreads() throws Exception
    {
        final int threads = 4;
        final int perThread = 300;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int id = t;
                results.add(executor.submit(() ->
                {
                    for (int i = 0; i < perThread; i++)
                    {
                        final String key = "t" + id + ":" + i;
                        client.put(key, "value-" + i);
                        assertEquals("value-" + i, client.get(key));
                        if (0 == i % 50)
                        {
                            client.getAsync(bytes(key)).join();
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> result : results)
            {
                result.get(30, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
        }
        assertEquals(threads * perThread, client.stats().size());
    }

    @Test
    void shouldCopyIntoTheRightCallersBufferUnderContention() throws Exception
    {
        final int threads = 4;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final byte id = (byte)(t + 1);
                results.add(executor.submit(() ->
                {
                    final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
                    final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
                    final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
                    for (int i = 0; i < 500; i++)
                    {
                        key.putByte(0, id);
                        key.putInt(1, i);
                        value.setMemory(0, 64, (byte)(id * 31 + i));
                        client.put(key, 0, 5, value, 0, 64);
                        dst.setMemory(0, 64, (byte)0);
                        assertEquals(64, client.get(key, 0, 5, dst, 0));
                        for (int b = 0; b < 64; b++)
                        {
                            assertEquals((byte)(id * 31 + i), dst.getByte(b));
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> result : results)
            {
                result.get(30, TimeUnit.SECONDS);
            }
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldReportStatsAndPing()
    {
        client.put("s", "1");
        client.get("s");
        client.get("missing");
        assertTrue(client.ping() > 0);
        final NodeStats stats = client.stats();
        assertEquals(1, stats.size());
        assertEquals(1, stats.hits());
        assertEquals(1, stats.misses());
        assertEquals(1, stats.puts());
        assertEquals(1, stats.sessions());
        assertEquals(node.nodeInstanceId(), stats.nodeInstanceId());
        assertEquals(node.nodeInstanceId(), client.nodeInstanceId());

        TestNodes.awaitTrue("counters published", 5_000, () ->
        {
            final Map<String, Long> counters = NodeCountersReader.read(node.aeronDirectoryName());
            return Long.valueOf(1).equals(counters.get("hits")) && Long.valueOf(1).equals(counters.get("sessions"));
        });
    }

    @Test
    void shouldRefuseOversizedKeysAndValuesWithClearErrors()
    {
        final FerriteRequestException keyError = assertThrows(
            FerriteRequestException.class, () -> client.put(new byte[2000], bytes("v")));
        assertEquals(ErrorCode.KEY_TOO_LARGE, keyError.code());
        final FerriteRequestException valueError = assertThrows(
            FerriteRequestException.class, () -> client.put(bytes("big"), new byte[TestNodes.MAX_VALUE_LENGTH + 1]));
        assertEquals(ErrorCode.VALUE_TOO_LARGE, valueError.code());
        assertThrows(FerriteRequestException.class, () -> client.get(new byte[0]));
        client.put("still", "fine");
        assertEquals("fine", client.get("still"));
        assertEquals(2, client.stats().errors());
    }

    @Test
    void shouldServeClientsOverIpcOnTheNodesDriver()
    {
        final NodeContext ipcNode = nodes.nodeContext(TestNodes.freeUdpPort())
            .channel("aeron:ipc").aeronDir(node.aeronDirectoryName());
        try (FerriteNode second = FerriteNode.launch(ipcNode);
            FerriteClient first = FerriteClient.connect(nodes.clientContext(second).responseChannel("aeron:ipc"));
            FerriteClient other = FerriteClient.connect(nodes.clientContext(second).responseChannel("aeron:ipc")))
        {
            first.put("ipc", "one");
            other.put("ipc2", "two");
            for (int i = 0; i < 100; i++)
            {
                assertEquals("two", first.get("ipc2"));
                assertEquals("one", other.get("ipc"));
            }
        }
    }

    @Test
    void shouldCarryLargestValueOfItsConfiguration()
    {
        final byte[] value = new byte[TestNodes.MAX_VALUE_LENGTH];
        Arrays.fill(value, (byte)'x');
        value[value.length - 1] = 'y';
        client.put(bytes("large"), value);
        assertArrayEquals(value, client.get(bytes("large")));
    }
}
