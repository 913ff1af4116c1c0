"""Handing memory freed by finished helper threads back to the system.

glibc's allocator gives each thread that allocates its own arena. Memory a helper thread
allocated (a large query result, say) goes back to that arena when it is freed, where the main
thread cannot reuse it; and while anything the thread allocated later is still alive (a pooled
connection's buffers), the arena cannot shrink, so the process keeps the pages resident for
nothing. `malloc_trim` releases the free pages of every arena.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache
from typing import cast


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name is not None else None
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return cast(Callable[[int], int], trim)


def release_free_memory() -> bool:
    """Return the free pages of every allocator arena to the system; False where the C library cannot (not glibc)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
