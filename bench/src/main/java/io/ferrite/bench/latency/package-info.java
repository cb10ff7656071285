/**
 * The open-loop latency harness: Ferrite single node, Redis and a replicated Ferrite group measured in one run at
 * the same rate, mix, value size and key count (see {@link io.ferrite.bench.latency.LatencyHarness}).
 */
package io.ferrite.bench.latency;
