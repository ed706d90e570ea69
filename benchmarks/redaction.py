#!/usr/bin/env python3
"""How the cost of many findings in one file grows: N and 2N password lines, notebook outputs.

Usage: python benchmarks/redaction.py [N_PASSWORDS] [N_OUTPUTS]. Run by hand; linear redaction
shows as a 2N/N time ratio near 2 (it was near 4 when every finding redacted every value)."""

from __future__ import annotations

import json
import random
import string
import sys
import time
from collections.abc import Callable

from scanner import engine, registry
from scanner.sources import SourceFile

_ALPHABET = string.ascii_letters + string.digits


def _value(rng: random.Random, length: int) -> str:
    """A random mixed-class value (upper, lower, digit), so the filters keep it."""
    while True:
        value = "".join(rng.choice(_ALPHABET) for _ in range(length))
        if any(c.isupper() for c in value) and any(c.islower() for c in value) \
                and any(c.isdigit() for c in value):
            return value


def password_file(count: int, length: int) -> str:
    """`count` lines `userN_password = "..."` (SH110), values of `length` characters."""
    rng = random.Random(count * 1000 + length)
    return "".join(f'user{n}_password = "{_value(rng, length)}"\n' for n in range(count))


def notebook(count: int) -> str:
    """One code cell and `count` stream outputs, each printing an API key (SH110)."""
    rng = random.Random(count)
    outputs = [{"output_type": "stream", "name": "stdout",
                "text": [f'api_key = "{_value(rng, 32)}"\n']} for _ in range(count)]
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["run()\n"],
            "outputs": outputs}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1)


def seconds(path: str, text: str) -> tuple[float, float, int]:
    """Wall and CPU time of one in-process scan of one file (all rules, one process, no cache).
    CPU time is the figure to compare on a shared machine."""
    rules = registry.instantiate(registry.select_rules((), ()), {}, {})
    start, cpu = time.perf_counter(), time.process_time()
    result = engine.scan([SourceFile(path=path, text=text)], rules, max_size=1 << 30, jobs=1)
    return time.perf_counter() - start, time.process_time() - cpu, len(result.findings)


def measure(label: str, count: int, make: Callable[[int], tuple[str, str]]) -> None:
    timings = []
    for n in (count, 2 * count):
        elapsed, cpu, found = seconds(*make(n))
        timings.append(cpu)
        print(f"{label:<42} N={n:>6}  findings={found:>6}  {elapsed:7.2f} s wall  {cpu:7.2f} s CPU")
    print(f"{label:<42} 2N/N CPU time ratio: {timings[1] / max(timings[0], 1e-9):.2f}")


def main(argv: list[str]) -> None:
    passwords = int(argv[0]) if argv else 4000
    outputs = int(argv[1]) if len(argv) > 1 else 9000
    measure("password lines, 24-char values (fast hash)", passwords,
            lambda n: ("settings.py", password_file(n, 24)))
    measure("password lines, 12-char values (slow hash)", max(passwords // 20, 1),
            lambda n: ("settings.py", password_file(n, 12)))
    measure("notebook outputs with a key each", outputs, lambda n: ("run.ipynb", notebook(n)))


if __name__ == "__main__":
    main(sys.argv[1:])
