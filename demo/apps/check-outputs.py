#!/usr/bin/env python3
"""Compare the verification values of two runs of the demo programs.

    check-outputs.py [--rtol R] [--atol A] [-q] A B

A and B are each a file or a directory.  Every line of the form
"NAME: check=VALUE" counts (other lines are ignored); in a directory every
regular file is read, so a directory of per-program outputs and one file
holding all of them compare alike.  Values are matched by NAME and agree when
|a - b| <= atol + rtol * max(|a|, |b|).  The default rtol, 1e-9, allows for
the rounding differences that FMA contraction and vectorization bring,
while real miscompilations or wrong inputs show up far above it.

Exit status: 0 when every name is in both and all values agree, 1 on any
mismatch or a name missing from one side, 2 on bad usage, an unreadable
input, a name given twice on one side, or when no value was found at all.
"""
import argparse
import math
import os
import re
import sys

LINE = re.compile(r"^\s*([A-Za-z0-9_.+-]+):\s*check=\s*(\S+)")


def fail(msg):
    print(f"check-outputs: {msg}", file=sys.stderr)
    sys.exit(2)


def read_values(path):
    """NAME -> (value, where) for every check line under PATH."""
    if os.path.isdir(path):
        files = sorted(os.path.join(path, f) for f in os.listdir(path)
                       if os.path.isfile(os.path.join(path, f)))
    elif os.path.exists(path):
        files = [path]
    else:
        fail(f"{path}: no such file or directory")
    values = {}
    for f in files:
        try:
            with open(f, errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError as e:
            fail(f"{f}: {e.strerror}")
        for n, line in enumerate(lines, 1):
            m = LINE.match(line)
            if not m:
                continue
            name, text = m.groups()
            try:
                # Fortran-style exponents (1.0D+00) read as well.
                value = float(text.replace("D", "e").replace("d", "e"))
            except ValueError:
                value = math.nan
            where = f"{f}:{n}"
            if name in values:
                fail(f"{name} appears twice: {values[name][1]} and {where}")
            values[name] = (value, where)
    return values


def main():
    ap = argparse.ArgumentParser(
        description="Compare 'NAME: check=VALUE' lines of two output files "
                    "or directories within a relative tolerance.")
    ap.add_argument("a", help="output file or directory")
    ap.add_argument("b", help="output file or directory")
    ap.add_argument("--rtol", type=float, default=1e-9,
                    help="relative tolerance (default: 1e-9)")
    ap.add_argument("--atol", type=float, default=0.0,
                    help="absolute tolerance (default: 0)")
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="print mismatches only")
    args = ap.parse_args()
    if args.rtol < 0 or args.atol < 0:
        ap.error("tolerances must not be negative")

    va, vb = read_values(args.a), read_values(args.b)
    if not va and not vb:
        print(f"check-outputs: no 'NAME: check=VALUE' line in {args.a} or {args.b}",
              file=sys.stderr)
        return 2

    bad = 0
    for name in sorted(set(va) | set(vb)):
        if name not in va or name not in vb:
            side = args.a if name not in va else args.b
            print(f"MISSING   {name:<12} not in {side}")
            bad += 1
            continue
        a, b = va[name][0], vb[name][0]
        scale = max(abs(a), abs(b))
        diff = abs(a - b)
        rel = diff / scale if scale > 0 else 0.0
        ok = math.isfinite(a) and math.isfinite(b) and diff <= args.atol + args.rtol * scale
        if not ok:
            bad += 1
        if not ok or not args.quiet:
            print(f"{'ok' if ok else 'MISMATCH':<9} {name:<12} {a!r:>24} {b!r:>24}  rel.diff {rel:.2e}")
    if bad:
        print(f"check-outputs: {bad} mismatch(es) (rtol {args.rtol:g}, atol {args.atol:g})",
              file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"check-outputs: {len(va)} value(s) agree (rtol {args.rtol:g}, atol {args.atol:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
