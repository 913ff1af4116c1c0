"""How far the demo got on this machine's local stack (`var/demo.json`), so an interrupted load is finished.

The demo goes into databases that held nothing when it began: the file is made then, and every
step of the load (the year of history, today's portfolio, the quarterly export) is noted in it
when it is done. Databases that held something before and have no such file are never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

STEPS = ("history", "today", "export")


class DemoProgress:
    def __init__(self, path: Path) -> None:
        self.path = path

    def begin(self, databases_empty: Callable[[], bool]) -> bool:
        """Whether the demo is (still) to be loaded here; the file is made when it starts on empty databases."""
        if self.path.exists():
            return not self.finished()
        if not databases_empty():
            return False
        self._write([])
        return True

    def done(self, step: str) -> bool:
        return step in self._read()

    def mark(self, step: str) -> None:
        if step not in STEPS:
            raise ValueError(f"unknown demo step {step!r}")
        self._write(sorted({*self._read(), step}, key=STEPS.index))

    def finished(self) -> bool:
        return all(self.done(step) for step in STEPS)

    def _read(self) -> list[str]:
        steps: list[str] = json.loads(self.path.read_text())["done"]
        return steps

    def _write(self, steps: list[str]) -> None:
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps({"done": steps}))
        partial.replace(self.path)
