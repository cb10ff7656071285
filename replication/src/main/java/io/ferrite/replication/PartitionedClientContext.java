package io.ferrite.replication;

import java.time.Duration;

/**
 * Settings of a {@link PartitionedClient}: where each group's members listen and how long a request may take
 * (redirects and cut-over retries included). Validated once by {@link #conclude()}; serves one client only.
 */
public final class PartitionedClientContext
{
    private boolean concluded;
    private String[] ingressEndpoints;
    private String aeronDirectoryName;
    private Duration requestTimeout = Duration.ofSeconds(10);

    PartitionedClientContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("a PartitionedClientContext is used for one client only");
        }
        concluded = true;
        if (null == ingressEndpoints || 0 == ingressEndpoints.length)
        {
            throw new IllegalArgumentException("ingressEndpoints must name every group's members");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero())
        {
            throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
        }
        return this;
    }

    /**
     * Every group's ingress endpoints ({@code 0=host:port,1=host:port,...}), group id = position.
     */
    public PartitionedClientContext ingressEndpoints(final String... ingressEndpoints)
    {
        this.ingressEndpoints = ingressEndpoints.clone();
        return this;
    }

    /**
     * The groups of {@code topology} numbered 0 to {@code groupCount - 1}.
     */
    public PartitionedClientContext topology(final GroupTopology topology, final int groupCount)
    {
        final String[] endpoints = new String[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            endpoints[g] = topology.ingressEndpoints(g);
        }
        return ingressEndpoints(endpoints);
    }

    public String[] ingressEndpoints()
    {
        return ingressEndpoints.clone();
    }

    /**
     * An external media driver; unset, the client runs an embedded one.
     */
    public PartitionedClientContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    public PartitionedClientContext requestTimeout(final Duration requestTimeout)
    {
        this.requestTimeout = requestTimeout;
        return this;
    }

    public Duration requestTimeout()
    {
        return requestTimeout;
    }
}
