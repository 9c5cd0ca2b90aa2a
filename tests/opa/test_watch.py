"""FolderWatch: the check before and after every decision keeps the event loop's thread running."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from service.opa.watch import FolderWatch


def test_checking_the_queue_does_not_hand_the_gil_to_another_thread(tmp_path: Path) -> None:
    """os.read released the GIL around the system call, and a thread-pool thread running Python
    took it: the event loop then waited for it to give it back (up to the switch interval)."""
    watch = FolderWatch.open()
    if watch is None:
        pytest.skip("inotify unavailable (not Linux, or the per-user instance limit reached)")
    watch.watch([str(tmp_path)])
    spins = 0
    stop = False

    def spin() -> None:  # a thread that wants the GIL all the time, as Python work in a pool
        nonlocal spins
        while not stop:
            spins += 1

    interval = sys.getswitchinterval()
    # Long enough that the spinner never asks for the GIL back during the checks below: the
    # only way it runs then is a thread here letting go of the GIL.
    sys.setswitchinterval(1.0)
    spinner = threading.Thread(target=spin, daemon=True)
    try:
        spinner.start()
        time.sleep(0.01)  # hands the GIL to the spinner; back here after its interval
        before = spins
        started = time.perf_counter()
        for _ in range(2000):
            assert not watch.changed()
        elapsed = time.perf_counter() - started
        during = spins - before
    finally:
        stop = True
        sys.setswitchinterval(interval)
        spinner.join()
        watch.close()
    assert during == 0, f"another thread ran {during} steps while the queue was checked"
    assert elapsed < 0.5


def test_an_event_is_seen_once(tmp_path: Path) -> None:
    watch = FolderWatch.open()
    if watch is None:
        pytest.skip("inotify unavailable (not Linux, or the per-user instance limit reached)")
    try:
        assert watch.watch([str(tmp_path)])
        assert not watch.changed()
        (tmp_path / "rule.rego").write_text("package rule\n", encoding="utf-8")
        assert watch.changed()
        assert not watch.changed()
    finally:
        watch.close()


def test_a_closed_watch_raises_for_the_caller_to_fall_back(tmp_path: Path) -> None:
    watch = FolderWatch.open()
    if watch is None:
        pytest.skip("inotify unavailable (not Linux, or the per-user instance limit reached)")
    watch.close()
    with pytest.raises(OSError):
        watch.changed()
