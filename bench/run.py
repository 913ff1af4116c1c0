"""`make bench`: the quick set of every benchmark, each printing its own detail, then one table of the figures.

`python -m bench.<name>` runs one benchmark at full size (see bench/README.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bench import amortisation, api, events, export, operations, portfolio
from bench.summary import Figure, print_table

QUICK: dict[str, Callable[[], list[Figure]]] = {
    "amortisation": amortisation.quick,
    "portfolio": portfolio.quick,
    "export": export.quick,
    "operations": operations.quick,
    "api": api.quick,
    "events": events.quick,
}


def main() -> None:
    figures: list[Figure] = []
    started = time.perf_counter()
    for name, quick in QUICK.items():
        print(f"== {name}", flush=True)
        figures += quick()
        print(flush=True)
    print(f"== all figures ({time.perf_counter() - started:.0f} s)")
    print_table(figures)


if __name__ == "__main__":
    main()
