#!/usr/bin/env python3
"""The steps of a two-stage Dockerfile that `spack containerize` writes, for a
test that carries them out without a container engine:
  dockerfile_steps.py DOCKERFILE run     the build stage's RUN commands, NUL-separated
  dockerfile_steps.py DOCKERFILE copy    the final stage's `COPY --from=builder SRC DST`
                                         pairs, one "SRC DST" per line
Continuation lines are joined as Docker joins them; anything else in the file
(FROM, LABEL, ENTRYPOINT...) is not a step here."""
import sys


def instructions(text):
    cur = ""
    for line in text.splitlines():
        if not cur and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            cur += line[:-1]
            continue
        yield (cur + line).strip()
        cur = ""
    if cur:
        yield cur.strip()


def main():
    path, what = sys.argv[1:3]
    stages = []
    for ins in instructions(open(path).read()):
        word, _, rest = ins.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        elif stages:
            stages[-1].append((word.upper(), rest.strip()))
    if len(stages) != 2:
        sys.exit(f"{path}: {len(stages)} stages, expected a build and a final stage")
    if what == "run":
        sys.stdout.write("".join(r + "\0" for w, r in stages[0] if w == "RUN"))
    elif what == "copy":
        for w, r in stages[1]:
            args = r.split()
            if w == "COPY" and args and args[0] == "--from=builder" and len(args) == 3:
                print(args[1], args[2])
    else:
        sys.exit(f"unknown request {what}")


main()
