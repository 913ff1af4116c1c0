"""Memory a finished thread allocated and the main thread freed goes back to the system when asked."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from shared.platform.process_memory import release_free_memory

MIB = 2**20


def _resident() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_pages_a_finished_thread_left_in_its_arena_are_released() -> None:
    if not Path("/proc/self/status").exists() or not release_free_memory():
        pytest.skip("needs Linux and glibc")
    held: list[bytes] = []

    def fetch() -> None:
        held.extend(bytes(2048) + b"%d" % number for number in range(100_000))

    before = _resident()
    thread = threading.Thread(target=fetch)
    thread.start()
    thread.join()
    # 200 MB in blocks too large for Python's own allocator, freed but for one in a thousand spread
    # over them (as a pooled connection's buffers outlive a query's rows): no arena end is free.
    kept = held[::1000]
    held.clear()
    freed = _resident()
    assert release_free_memory()
    released = _resident()
    assert freed - before > 150 * MIB, "the arena gave its pages back by itself: this helper may be unneeded"
    assert released - before < 50 * MIB
    assert len(kept) == 100
