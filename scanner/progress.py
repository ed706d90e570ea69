"""A progress bar on stderr for scans that take a while: only on a terminal, never in CI logs
or with machine-readable output, and only once a scan has run for a second (rich loads then)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

DELAY_SECONDS = 1.0
MACHINE_FORMATS = frozenset({"json", "sarif", "github"})


def wanted(fmt: str, quiet: bool, stream: TextIO | None = None) -> bool:
    """Progress only for a person watching: text output, not quiet, stderr a terminal, not CI."""
    stream = stream if stream is not None else sys.stderr
    if fmt in MACHINE_FORMATS or quiet or os.environ.get("CI"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ScanProgress:
    """The engine's `on_file` callback: counts files and shows a bar after DELAY_SECONDS."""

    def __init__(self, total: int | None, stream: TextIO, delay: float = DELAY_SECONDS,
                 label: str = "scanning") -> None:
        self.total = total
        self.label = label
        self.stream = stream
        self.delay = delay
        self.count = 0
        self.started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, path: str) -> None:
        self.count += 1
        if self._bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            self._show()
        self._bar.update(self._task, completed=self.count)

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        columns: list[Any] = [SpinnerColumn(), TextColumn(self.label.replace("[", "\\["))]
        if self.total:
            columns += [BarColumn(), MofNCompleteColumn()]
        else:
            columns += [TextColumn("{task.completed} files")]
        columns.append(TimeElapsedColumn())
        self._bar = Progress(*columns, console=Console(file=self.stream), transient=True)
        self._task = self._bar.add_task("scan", total=self.total or None, completed=self.count)
        self._bar.start()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@contextmanager
def scan_progress(fmt: str, quiet: bool, total: int | None, stream: TextIO | None = None,
                  label: str = "scanning") -> Iterator[Callable[[str], None] | None]:
    """Yields the `on_file` callback for engine.scan, or None when no progress is wanted."""
    stream = stream if stream is not None else sys.stderr
    if not wanted(fmt, quiet, stream):
        yield None
        return
    progress = ScanProgress(total, stream, DELAY_SECONDS, label)
    try:
        yield progress
    finally:
        progress.close()
