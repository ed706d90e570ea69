"""The progress bar: a person at a terminal sees it on long scans; CI logs and machine output never do."""

from __future__ import annotations

import io
import time

import pytest

from scanner.progress import ScanProgress, scan_progress, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def not_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)


def test_only_for_text_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    assert wanted("text", False, Terminal())
    assert not wanted("text", False, io.StringIO())  # not a terminal
    assert not wanted("text", True, Terminal())  # --quiet
    for fmt in ("json", "sarif", "github"):
        assert not wanted(fmt, False, Terminal())
    monkeypatch.setenv("CI", "true")
    assert not wanted("text", False, Terminal())


def test_no_callback_when_not_wanted() -> None:
    with scan_progress("json", False, 10, stream=Terminal()) as on_file:
        assert on_file is None


def test_bar_appears_only_after_the_delay_and_goes_away() -> None:
    stream = Terminal()
    quick = ScanProgress(3, stream, delay=60)
    for path in ("a", "b", "c"):
        quick(path)
    quick.close()
    assert not quick.shown and stream.getvalue() == ""

    slow = ScanProgress(None, stream, delay=0.01)  # history: no total known
    slow("a")
    time.sleep(0.02)
    slow("b")
    slow("c")
    assert slow.shown and slow.count == 3
    slow.close()
    assert stream.getvalue()  # it drew something on the terminal


def test_scan_progress_yields_a_counting_callback() -> None:
    with scan_progress("text", False, 2, stream=Terminal()) as on_file:
        assert isinstance(on_file, ScanProgress)
        on_file("a")
        on_file("b")
        assert on_file.count == 2
