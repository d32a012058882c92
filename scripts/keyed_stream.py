"""The case-keyed generator (``model.draws``) as a raw stream of 32-bit words, for a standard
battery (issue 20 item 5). Not part of ``make test``; the battery is Debian's ``dieharder``::

    apt-get install dieharder
    .venv/bin/python scripts/keyed_stream.py --walk case | dieharder -a -g 200

Each keyed draw's 64 bits (the word the uniform takes its top 53 bits from) are written as two
little-endian 32-bit words, low half first. ``--walk`` says which argument counts up:

- ``case``: case numbers 1, 2, ... at one purpose, step, item and visit (adjacent cases);
- ``mixed``: the order a model uses them: for each case, every purpose × step 1-4 × item 0-1 ×
  visit 0-1 (adjacent purposes, steps, items and visits);
- ``visit``: visits 0..2^16-1 within each case, then the next case;
- ``key``: keys 1, 2, ... (adjacent keys: harsher than the model's, which are 63 random bits
  from the seed) for one case, purpose, step, item and visit.

``--key`` is the key of the other walks (default: the key seed 1 gives a textbook model).

Measured 2026-12-03/04 (dieharder 3.31.1, ``-a``; 114 results a walk; a perfect generator gives
about 1.1 WEAK, p outside [0.005, 0.995], and FAILED at p < 1e-6):

- ``case``: 111 PASSED, 3 WEAK (diehard_bitstream 0.998, sts_serial 12 0.998, rgb_lagged_sum 18
  0.997), 0 FAILED; on a fresh segment (``-d 4`` and ``-d 102`` with ``-Y 1``) bitstream 0.753 and
  sts_serial 12 0.664 / 0.989, PASSED.
- ``mixed`` (``-a -Y 1``, which adds psamples to a WEAK test until it resolves): 112 PASSED,
  2 WEAK, 0 FAILED at first; sts_serial 12 (0.9989) PASSED at 200 psamples (0.823 / 0.560) and
  on a fresh segment (0.957 / 0.338); diehard_sums (4.3e-4) stayed WEAK at 200-300 psamples
  and FAILED at 400 (p 4.9e-7). dieharder lists diehard_sums as "Do Not Use": at ``-p 1000``
  it FAILS AES_OFB (p < 1e-8), MT19937 (1e-8) and numpy's Philox4x32-10 (< 1e-8) alike, while
  these walks give WEAK (case 6.7e-5, mixed 2.9e-6); on a fresh segment of ``mixed`` it PASSED
  (0.019).
- the reference, numpy's Philox4x32-10 through the same pipe: 110 PASSED, 4 WEAK (sts_serial 6,
  8, 9; rgb_lagged_sum 9), 0 FAILED. The 114 p-values' mean is 0.55 for Philox and for the case
  walk, 0.56 for the mixed one (dieharder's p-values lean high for every generator here);
  Kolmogorov–Smirnov of them against U(0, 1): Philox 0.30, case 0.062, mixed 0.043 (0.30
  without the 30 mutually dependent sts_serial results).
"""

from __future__ import annotations

import argparse
import sys

import numba
import numpy as np

from govlab.model.kernel.keyed import _bits

CHUNK = 1 << 20  # 64-bit draws per write
WALKS = ("case", "mixed", "visit", "key")


@numba.njit(cache=True)
def _fill(out, walk, key, start):
    """Draws ``start .. start + len(out) - 1`` of the walk into ``out`` (uint64)."""
    for i in range(out.size):
        n = start + i
        if walk == 0:
            out[i] = _bits(key, n + 1, 7, 1, 0, 0)
        elif walk == 1:  # 10 purposes × 4 steps × 2 items × 2 visits = 160 draws a case
            rest, visit = divmod(n, 2)
            rest, item = divmod(rest, 2)
            rest, step = divmod(rest, 4)
            case, purpose = divmod(rest, 10)
            out[i] = _bits(key, case + 1, purpose + 1, step + 1, item, visit)
        elif walk == 2:
            case, visit = divmod(n, 1 << 16)
            out[i] = _bits(key, case + 1, 7, 1, 0, visit)
        else:
            out[i] = _bits(n + 1, 1, 7, 1, 0, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walk", choices=WALKS, default="case")
    parser.add_argument("--key", type=int, default=None)
    parser.add_argument("--words", type=int, default=0, help="stop after this many 64-bit draws")
    args = parser.parse_args()
    if args.key is None:
        from govlab.model.draws import service_key  # the key a seed-1 model would draw

        args.key = service_key(np.random.default_rng(1))
    out = np.empty(CHUNK, dtype=np.uint64)
    walk, start, sink = WALKS.index(args.walk), 0, sys.stdout.buffer
    try:
        while not args.words or start < args.words:
            _fill(out, walk, np.uint64(args.key), start)
            sink.write(out.astype("<u8").tobytes())
            start += CHUNK
    except BrokenPipeError:  # the battery has read enough
        sys.stderr.close()


if __name__ == "__main__":
    main()
