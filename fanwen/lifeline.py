"""Child processes die with their parent: the Scrapy child of `fanwen crawl` and every extraction worker.

Without it a `kill -9` of `fanwen crawl` leaves the Scrapy child (re-parented to PID 1) fetching and writing, and a
killed Scrapy child leaves its workers alive. On Linux the kernel does it: prctl(PR_SET_PDEATHSIG, SIGKILL). As a
second line (other systems, or a parent that died before prctl ran), a daemon thread checks every second that the
parent is still the one that started us, and exits if not.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1
WATCH_INTERVAL = 1.0


def _set_pdeathsig(sig: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    import time
    while True:
        time.sleep(WATCH_INTERVAL)
        if os.getppid() != parent:
            os._exit(1)


def die_with_parent(parent: int | None = None) -> None:
    """Call first thing in a child process; `parent` is the pid the child expects as its parent (default: the
    current one). If that parent is already gone, exit at once."""
    expected = parent if parent is not None else os.getppid()
    _set_pdeathsig(signal.SIGKILL)
    if os.getppid() != expected:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(expected,), name="fanwen-lifeline", daemon=True).start()
