"""One writer at a time: an advisory lock on `<db>.lock` held by the process that writes corpus.db.

Every writing command (crawl, demo, ingest, reclean, dedup --rebuild, and any other writer) takes the lock before it
opens the database for writing; a second writer refuses at once with one line naming the holder:

    corpus.db is being written by crawl 12 (pid 4711, started 02:30); try again later

The lock is `fcntl.flock` on an open file, so the kernel releases it the moment the holder dies (even by `kill -9`):
a lock left by a dead process is simply taken over. The file itself holds JSON {pid, command, crawl_id, started}
for the message. Readers (query, stats, search, serve, export) never take it: SQLite's WAL mode lets them read while
the one writer writes.

    with writer_lock("corpus.db", "ingest"):
        ...            # write

`mark_dead_crawls(db)` is called by each writer once it holds the lock: any crawl row still `running` then belongs
to a process that died without closing it (a `kill -9`, a power cut) and is marked `killed`.
"""
from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from fanwen.store import CorpusError


class WriterLocked(CorpusError):
    """Another live process is writing the database."""


def lock_path(db_path: str | Path) -> Path:
    return Path(str(db_path) + ".lock")


def _running_crawl_id(db_path: str | Path) -> int | None:
    """The newest `running` crawl row, read-only (for the message when the holder has not noted its crawl id)."""
    if not Path(db_path).exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True, timeout=1)
        try:
            row = conn.execute("SELECT max(id) FROM crawls WHERE status = 'running'").fetchone()
        finally:
            conn.close()
        return row[0] if row else None
    except sqlite3.Error:
        return None


def describe_holder(db_path: str | Path, info: dict) -> str:
    name = Path(db_path).name
    command = info.get("command") or "another process"
    crawl_id = info.get("crawl_id") or _running_crawl_id(db_path)
    started = info.get("started")
    when = time.strftime("%H:%M", time.localtime(started)) if isinstance(started, (int, float)) else "?"
    who = f"{command} {crawl_id}" if crawl_id else command
    return f"{name} is being written by {who} (pid {info.get('pid', '?')}, started {when}); try again later"


def _read_info(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = os.read(fd, 4096)
        info = json.loads(data.decode("utf-8") or "{}")
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}


class WriterLock:
    """The one-writer lock on a database; `acquire()` raises WriterLocked naming a live holder."""

    def __init__(self, db_path: str | Path, command: str):
        self.db_path = str(db_path)
        self.command = command
        self.path = lock_path(db_path)
        self.fd: int | None = None
        self.info: dict = {}

    def acquire(self) -> "WriterLock":
        if self.fd is not None:
            return self
        parent = self.path.resolve().parent
        if not parent.is_dir():
            raise CorpusError(f"{self.db_path}: directory {parent} does not exist")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise CorpusError(f"{self.db_path}: cannot create the lock file {self.path} "
                              f"({exc.strerror or exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            info = _read_info(fd)
            os.close(fd)
            raise WriterLocked(describe_holder(self.db_path, info)) from None
        self.fd = fd
        self.info = {"pid": os.getpid(), "command": self.command, "crawl_id": None, "started": time.time()}
        self._write()
        return self

    def _write(self) -> None:
        try:
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, json.dumps(self.info).encode("utf-8"), 0)
        except OSError:
            pass  # the note is for the message only; the flock is what excludes

    def note(self, **values) -> None:
        """Record e.g. the crawl id once it is known (shown to a second writer)."""
        if self.fd is not None:
            self.info.update(values)
            self._write()

    def release(self) -> None:
        if self.fd is not None:
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass
            os.close(self.fd)  # closing the last descriptor releases the flock
            self.fd = None

    def __enter__(self) -> "WriterLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


@contextmanager
def writer_lock(db_path: str | Path, command: str):
    """Hold the one-writer lock for the block; raises WriterLocked (one line) when a live writer holds it."""
    lock = WriterLock(db_path, command).acquire()
    try:
        yield lock
    finally:
        lock.release()


def holder(db_path: str | Path) -> dict | None:
    """The live holder's note ({pid, command, crawl_id, started}), or None when nobody writes the database."""
    path = lock_path(db_path)
    if not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_info(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def mark_dead_crawls(db_path: str | Path) -> int:
    """Crawl rows left `running` by a writer that died are marked `killed`; call it holding the lock."""
    if not Path(db_path).exists():
        return 0
    try:
        conn = sqlite3.connect(str(db_path), timeout=1)
        try:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'crawls'").fetchone():
                return 0
            with conn:
                cur = conn.execute("UPDATE crawls SET status = 'killed', finished_at = coalesce(finished_at, ?) "
                                   "WHERE status = 'running'",
                                   [time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())])
            return cur.rowcount
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # the writable check that follows reports an unusable database in one line


def check_writable(db_path: str | Path) -> None:
    """Open the database for writing (creating the schema when new) and take SQLite's write lock once, so a locked,
    read-only or non-SQLite file is reported in one line before any crawl or worker starts."""
    from fanwen.store import Corpus, _explain_sqlite_error

    corpus = Corpus(db_path, timeout=2)
    try:
        corpus.db.execute("BEGIN IMMEDIATE")
        corpus.db.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise _explain_sqlite_error(str(db_path), exc) from None
    finally:
        corpus.close()


def acquire_writer(db_path: str | Path, command: str, check: bool = True) -> WriterLock:
    """The lock for a writing command, stale `running` rows marked `killed`, the database checked writable."""
    lock = WriterLock(db_path, command).acquire()
    try:
        mark_dead_crawls(db_path)
        if check:
            check_writable(db_path)
    except BaseException:
        lock.release()
        raise
    return lock
