"""What refusing a hostile JSON body costs, next to reading an ordinary body of the same size.

``designer.engine.safejson.loads`` promises that no body, whatever its shape, costs more than reading
its bytes. Each hostile body (5 MB, one byte more than valid) is refused by ``loads``; the yardstick
is the standard library's ``json.loads`` of a flat 5 MB array of numbers, which is what reading a body
of that size costs anyway. Rounds alternate hostile and ordinary bodies after a warm-up; medians, the
spread (min-max), the ratio to the yardstick and the load average are printed. Pure engine code: no
Django, no services. Usage:
    .venv/bin/python bench/hostile_json.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from designer.engine.safejson import JSONRefused, loads  # noqa: E402

SIZE = 5_000_000
HOSTILE = {
    "5M open brackets": b"[" * SIZE,
    "1M open objects": b'{"a":' * (SIZE // 5),
    "2.5M empty arrays": b"[]" * (SIZE // 2),
    "2.5M escaped backslashes": b'"' + b"\\\\" * (SIZE // 2) + b'"',
}


def ordinary() -> bytes:
    """A flat array of small numbers, about SIZE bytes."""
    body = json.dumps(list(range(SIZE // 7))).encode()
    return body[: body.rfind(b",", 0, SIZE)] + b"]"


def refuse(raw: bytes) -> float:
    started = time.perf_counter()
    try:
        loads(raw, max_bytes=2 * SIZE)
    except JSONRefused:
        return time.perf_counter() - started
    raise SystemExit("a hostile body was accepted")


def read(raw: bytes) -> float:
    started = time.perf_counter()
    json.loads(raw)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    plain = ordinary()
    bodies = {name: raw + b"x" for name, raw in HOSTILE.items()}
    for raw in bodies.values():  # warm-up
        refuse(raw)
    read(plain)

    times: dict[str, list[float]] = {name: [] for name in bodies}
    yardstick: list[float] = []
    for _ in range(args.rounds):
        for name, raw in bodies.items():
            times[name].append(refuse(raw))
            yardstick.append(read(plain))

    base = statistics.median(yardstick)
    print(f"refusing a hostile body vs. json.loads of a flat {len(plain):,}-byte array, {args.rounds} rounds")
    print(f"  {'json.loads, ordinary body':28} median {base * 1000:7.1f} ms  (min {min(yardstick) * 1000:.1f})")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:28} median {median * 1000:7.1f} ms  (min {min(values) * 1000:.1f}, "
            f"max {max(values) * 1000:.1f})  {median / base:4.2f}x the ordinary body"
        )
    print("  load average " + " ".join(f"{v:.2f}" for v in os.getloadavg()) + f"  ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
