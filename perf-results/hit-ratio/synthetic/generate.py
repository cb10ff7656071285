"""Synthetic traces (LIRS text format, gzip) for a robustness check beyond the recorded traces.

Usage: python3 generate.py OUTDIR   (seeded: the same files every time)
"""
import bisect
import gzip
import itertools
import os
import random
import sys


def zipf_sampler(rng, n, s):
    weights = [1.0 / (i + 1) ** s for i in range(n)]
    cumulative = list(itertools.accumulate(weights))
    total = cumulative[-1]
    perm = list(range(n))
    rng.shuffle(perm)
    return lambda: perm[bisect.bisect_left(cumulative, rng.random() * total)]


def write(outdir, name, keys):
    with gzip.open(os.path.join(outdir, name + '.trace.gz'), 'wt') as f:
        f.write('\n'.join(map(str, keys)) + '\n')


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(5)
    z = zipf_sampler(rng, 50000, 0.99)
    write(outdir, 'syn_zipf099', [z() for _ in range(500000)])
    z = zipf_sampler(rng, 50000, 0.7)
    write(outdir, 'syn_zipf070', [z() for _ in range(500000)])
    # five phases of 100k requests, each a Zipf(0.9) over its own 20k keys
    z = zipf_sampler(rng, 20000, 0.9)
    keys = []
    for phase in range(5):
        keys += [z() + phase * 20000 for _ in range(100000)]
    write(outdir, 'syn_shifting', keys)
    # Zipf(0.9) over 20k keys; every other block of 20k requests, half the requests are never-repeated keys
    z = zipf_sampler(rng, 20000, 0.9)
    keys = []
    fresh = 10 ** 7
    for i in range(500000):
        if (i // 20000) % 2 == 1 and rng.random() < 0.5:
            keys.append(fresh)
            fresh += 1
        else:
            keys.append(z())
    write(outdir, 'syn_zipf_scans', keys)


if __name__ == '__main__':
    main(sys.argv[1])
