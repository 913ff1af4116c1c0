"""Handing memory freed by finished helper threads back to the system.

glibc's allocator gives each thread that allocates its own arena. Memory a helper thread
allocated (a large query result, say) goes back to that arena when it is freed, where the main
thread cannot reuse it, and the arena seldom shrinks by itself: the process keeps the pages
resident for nothing. `malloc_trim` releases the free pages of every arena.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: ctypes._NamedFuncPointer = ctypes.CDLL(name).malloc_trim
    except AttributeError:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the free pages of every allocator arena to the system; False where the C library cannot (not glibc)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
