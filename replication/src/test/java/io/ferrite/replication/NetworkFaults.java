package io.ferrite.replication;

import io.aeron.driver.Configuration;
import io.aeron.driver.DataPacketDispatcher;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ReceiveChannelEndpointSupplier;
import io.aeron.driver.SendChannelEndpointSupplier;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.driver.media.ReceiveChannelEndpoint;
import io.aeron.driver.media.SendChannelEndpoint;
import io.aeron.driver.media.UdpChannel;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Packet loss and head-of-line delay for member processes, through Aeron's debug channel endpoints: this kernel has
 * no {@code tc netem} ({@code tc qdisc add dev lo root netem loss 2%} answers "Specified qdisc kind is unknown", and
 * there are no modules to load), so the faults are made inside each member's media driver instead of the kernel.
 * <p>
 * A member started with {@link #properties} installs {@link ReceiveSupplier} and {@link SendSupplier} as its
 * driver's channel endpoint suppliers (Aeron's {@value Configuration#RECEIVE_CHANNEL_ENDPOINT_SUPPLIER_PROP_NAME}
 * and {@value Configuration#SEND_CHANNEL_ENDPOINT_SUPPLIER_PROP_NAME}). They build Aeron's
 * {@link DebugReceiveChannelEndpoint} and {@link DebugSendChannelEndpoint} with this class's {@link Generator}s:
 * <ul>
 *     <li>every UDP frame a member receives (data, setup and RTT frames: log replication, consensus, archive
 *     catch-up, the clients' ingress) and every control frame it sends back (status messages, NAKs) is dropped
 *     with probability {@code lossRate};</li>
 *     <li>every frame it sends (data to followers, egress to clients) and every control frame it receives is
 *     dropped with the same probability, so the clients' traffic, whose own driver in the test JVM is left alone,
 *     is lossy in both directions;</li>
 *     <li>a received data frame stalls the receiving driver with probability {@code stallProbability}: the driver
 *     thread parks 1 to {@code stallMaxMs} ms before handling the frame. The members' drivers run SHARED (one
 *     thread for conductor, sender and receiver), so a stall delays everything that member's driver sends and
 *     receives: head-of-line delay and jitter, not a per-packet delay line (no frame is reordered).</li>
 * </ul>
 * Each generator draws from its own {@link Random}, seeded from the run's seed, the member id and the endpoint's
 * creation index, so the decision sequence per endpoint is reproducible (the timing of frames is not). Counts of
 * frames seen, dropped and stalled are process-wide and written every {@link #STATS_INTERVAL_MS} ms (and at exit)
 * to {@code network-<member>-<pid>.properties} in the stats directory; {@link #totals} sums every file there, so a
 * killed member's counts survive it (up to the last write).
 * <p>
 * <b>Note:</b> generators are called on the driver thread only; the counters are atomics read by the reporter.
 */
public final class NetworkFaults
{
    static final String LOSS_RATE_PROP_NAME = "ferrite.test.network.loss.rate";
    static final String STALL_PROBABILITY_PROP_NAME = "ferrite.test.network.stall.probability";
    static final String STALL_MAX_MS_PROP_NAME = "ferrite.test.network.stall.max.ms";
    static final String SEED_PROP_NAME = "ferrite.test.network.seed";
    static final String STATS_DIR_PROP_NAME = "ferrite.test.network.stats.dir";
    static final long STATS_INTERVAL_MS = 500;

    static final String[] COUNTERS =
    {
        "receive-data-frames", "receive-data-dropped", "receive-control-frames", "receive-control-dropped",
        "send-data-frames", "send-data-dropped", "send-control-frames", "send-control-dropped",
        "stalls", "stalled-ms"
    };
    private static final int RECEIVE_DATA = 0;
    private static final int RECEIVE_CONTROL = 2;
    private static final int SEND_DATA = 4;
    private static final int SEND_CONTROL = 6;
    private static final int STALLS = 8;
    private static final int STALLED_MS = 9;

    private static final AtomicLong[] COUNTS = new AtomicLong[COUNTERS.length];
    private static final AtomicInteger GENERATORS = new AtomicInteger();
    private static final AtomicInteger REPORTERS = new AtomicInteger();

    static
    {
        for (int i = 0; i < COUNTS.length; i++)
        {
            COUNTS[i] = new AtomicLong();
        }
    }

    private NetworkFaults()
    {
    }

    /**
     * The system properties that give a member process lossy, stalling channel endpoints.
     */
    static Map<String, String> properties(
        final long seed, final double lossRate, final double stallProbability, final int stallMaxMs, final File stats)
    {
        final Map<String, String> properties = new LinkedHashMap<>();
        properties.put(Configuration.RECEIVE_CHANNEL_ENDPOINT_SUPPLIER_PROP_NAME, ReceiveSupplier.class.getName());
        properties.put(Configuration.SEND_CHANNEL_ENDPOINT_SUPPLIER_PROP_NAME, SendSupplier.class.getName());
        properties.put(SEED_PROP_NAME, Long.toString(seed));
        properties.put(LOSS_RATE_PROP_NAME, Double.toString(lossRate));
        properties.put(STALL_PROBABILITY_PROP_NAME, Double.toString(stallProbability));
        properties.put(STALL_MAX_MS_PROP_NAME, Integer.toString(stallMaxMs));
        properties.put(STATS_DIR_PROP_NAME, stats.getAbsolutePath());
        return properties;
    }

    /**
     * Sum of every member process's counts written to {@code stats}, by {@link #COUNTERS} name.
     */
    static Map<String, Long> totals(final File stats)
    {
        final Map<String, Long> totals = new LinkedHashMap<>();
        for (final String name : COUNTERS)
        {
            totals.put(name, 0L);
        }
        final File[] files = stats.listFiles((dir, name) -> name.startsWith("network-") &&
            name.endsWith(".properties"));
        for (final File file : null == files ? new File[0] : files)
        {
            final Properties counts = new Properties();
            try (Reader reader = Files.newBufferedReader(file.toPath(), StandardCharsets.UTF_8))
            {
                counts.load(reader);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            for (final String name : COUNTERS)
            {
                totals.merge(name, Long.parseLong(counts.getProperty(name, "0")), Long::sum);
            }
        }
        return totals;
    }

    /**
     * Installed in a member's driver by {@value Configuration#RECEIVE_CHANNEL_ENDPOINT_SUPPLIER_PROP_NAME}.
     */
    public static final class ReceiveSupplier implements ReceiveChannelEndpointSupplier
    {
        public ReceiveSupplier()
        {
            startReporter();
        }

        public ReceiveChannelEndpoint newInstance(
            final UdpChannel udpChannel,
            final DataPacketDispatcher dispatcher,
            final AtomicCounter statusIndicator,
            final MediaDriver.Context context)
        {
            return new DebugReceiveChannelEndpoint(udpChannel, dispatcher, statusIndicator, context,
                generator(RECEIVE_DATA, true), generator(RECEIVE_CONTROL, false));
        }
    }

    /**
     * Installed in a member's driver by {@value Configuration#SEND_CHANNEL_ENDPOINT_SUPPLIER_PROP_NAME}.
     */
    public static final class SendSupplier implements SendChannelEndpointSupplier
    {
        public SendSupplier()
        {
            startReporter();
        }

        public SendChannelEndpoint newInstance(
            final UdpChannel udpChannel, final AtomicCounter statusIndicator, final MediaDriver.Context context)
        {
            return new DebugSendChannelEndpoint(udpChannel, statusIndicator, context,
                generator(SEND_DATA, false), generator(SEND_CONTROL, false));
        }
    }

    private static Generator generator(final int counter, final boolean stalls)
    {
        final long seed = Long.getLong(SEED_PROP_NAME, 0) * 1_000_003L + Integer.getInteger("ferrite.node.member", 0) *
            7919L + GENERATORS.getAndIncrement();
        final double stallProbability = stalls ? Double.parseDouble(System.getProperty(STALL_PROBABILITY_PROP_NAME,
            "0")) : 0;
        return new Generator(new Random(seed), Double.parseDouble(System.getProperty(LOSS_RATE_PROP_NAME, "0")),
            stallProbability, Integer.getInteger(STALL_MAX_MS_PROP_NAME, 30), counter);
    }

    /**
     * Drops a frame with probability {@code lossRate}; before that, with probability {@code stallProbability},
     * parks the calling (driver) thread for 1 to {@code stallMaxMs} ms.
     */
    static final class Generator implements LossGenerator
    {
        private final Random random;
        private final double lossRate;
        private final double stallProbability;
        private final int stallMaxMs;
        private final AtomicLong frames;
        private final AtomicLong dropped;

        Generator(
            final Random random,
            final double lossRate,
            final double stallProbability,
            final int stallMaxMs,
            final int counter)
        {
            this.random = random;
            this.lossRate = lossRate;
            this.stallProbability = stallProbability;
            this.stallMaxMs = Math.max(1, stallMaxMs);
            this.frames = COUNTS[counter];
            this.dropped = COUNTS[counter + 1];
        }

        public boolean shouldDropFrame(final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
        {
            frames.incrementAndGet();
            if (stallProbability > 0 && random.nextDouble() < stallProbability)
            {
                stall(TimeUnit.MILLISECONDS.toNanos(1 + random.nextInt(stallMaxMs)));
            }
            if (random.nextDouble() < lossRate)
            {
                dropped.incrementAndGet();
                return true;
            }
            return false;
        }

        private static void stall(final long durationNs)
        {
            final long start = System.nanoTime();
            final long deadline = start + durationNs;
            long now = start;
            while (now < deadline)
            {
                LockSupport.parkNanos(deadline - now);
                now = System.nanoTime();
            }
            COUNTS[STALLS].incrementAndGet();
            COUNTS[STALLED_MS].addAndGet(TimeUnit.NANOSECONDS.toMillis(now - start));
        }
    }

    private static void startReporter()
    {
        final String dir = System.getProperty(STATS_DIR_PROP_NAME);
        if (null == dir || 0 != REPORTERS.getAndIncrement())
        {
            return;
        }
        final Path file = new File(dir, "network-" + Integer.getInteger("ferrite.node.member", 0) + "-" +
            ProcessHandle.current().pid() + ".properties").toPath();
        System.out.println("FERRITE-TEST-NETWORK lossy endpoints: loss rate " +
            System.getProperty(LOSS_RATE_PROP_NAME) + ", stall probability " +
            System.getProperty(STALL_PROBABILITY_PROP_NAME) + " of 1-" + System.getProperty(STALL_MAX_MS_PROP_NAME) +
            " ms, seed " + System.getProperty(SEED_PROP_NAME) + ", counts in " + file);
        final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, "network-faults-reporter");
            thread.setDaemon(true);
            return thread;
        });
        reporter.scheduleWithFixedDelay(() -> write(file), STATS_INTERVAL_MS, STATS_INTERVAL_MS,
            TimeUnit.MILLISECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> write(file), "network-faults-final-report"));
    }

    private static void write(final Path file)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < COUNTERS.length; i++)
        {
            text.append(COUNTERS[i]).append('=').append(COUNTS[i].get()).append('\n');
        }
        try
        {
            final Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            System.out.println("FERRITE-TEST-NETWORK cannot write " + file + ": " + ex.getMessage());
        }
    }
}
