"""`portable dev`'s reloader: serve the App in a child process, and a new one after each change to its code.

This process holds the listening socket and never imports the App. Its child serves on that
socket (providers/local/server.py), and says which of the app's files it imported. The reloader
watches those, the package's folder (`functions/`, where a new module may appear) and `main.py`:
the app's files, and nothing else in the project's folder. When one of them changes, the reloader asks
the child to stop, by closing the child's lifeline pipe: the child stops taking new requests,
queued events and schedule firings, says through which instant it has fired the schedules,
finishes the HTTP calls in flight and exits. A new child, started at once on the same socket,
loads the changed code and takes over: calls that arrive meanwhile wait in the socket's
backlog, events wait in the durable queue (an attempt the old child has under way keeps its
lease until it ends), and schedules fire from the instant the old child reached, so no firing
is lost or repeated. A child whose code does not load answers every call with the error until
the next change. The child also stops when the reloader dies: its lifeline then closes too.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from providers.local import signed_urls
from providers.local.access import ControlAccess
from providers.local.load_failure import shown_path
from providers.local.server import CONTROL_TOKEN_VARIABLE, url_host
from providers.local.sqlite_files import local_dir
from providers.paths import MAIN_PY, PROJECT_ROOT

if TYPE_CHECKING:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers.api import BaseObserver

# Folders never watched in the package: caches (hidden folders are skipped too).
SKIPPED_FOLDERS = frozenset({"__pycache__"})
# A save is often several writes: reload once they have stopped for this long.
QUIET_SECONDS = 0.2
# How long a child may take to let go of the socket and the queue before it is killed.
STOP_SECONDS = 30
_WATCHED_EVENTS = frozenset({"created", "modified", "moved", "deleted"})


class Watched:
    """The app's files: every Python file in its package's folder, `main.py`, and the files the serving process
    reports it imported from the project (a module beside `functions/`, say). Reports come from another thread."""

    def __init__(self, root: Path, package: str) -> None:
        self.root = root
        self.package = root.joinpath(*package.split("."))
        self.main = root / MAIN_PY.name
        self._reported: frozenset[Path] = frozenset()

    def __contains__(self, path: Path) -> bool:
        """Whether a change to `path` reloads the app."""
        if path.suffix != ".py":
            return False
        if path == self.main or path in self._reported:
            return True
        if not path.is_relative_to(self.package):
            return False
        folders = path.relative_to(self.package).parts[:-1]
        return not any(part.startswith(".") or part in SKIPPED_FOLDERS for part in folders)

    def report(self, files: list[str]) -> list[Path]:
        """Take the files a serving process imported; the folders that hold them, to watch."""
        self._reported = frozenset(Path(file) for file in files if Path(file).is_relative_to(self.root))
        return sorted({path.parent for path in self._reported})

    def folders(self) -> list[tuple[Path, bool]]:
        """(folder, recursive) to watch from the start: the project's folder itself (for main.py), the package's."""
        package = [(self.package, True)] if self.package.is_dir() and self.package != self.root else []
        return [(self.root, False), *package]

    def covers(self, folder: Path) -> bool:
        """Whether watching `folders()` hears the changes in `folder` already."""
        return folder == self.root or (self.package != self.root and folder.is_relative_to(self.package))


@dataclass
class Child:
    """One served process, what it has said on its report pipe, and the end of its lifeline held here (the
    process stops when it closes, so that it never outlives the reloader)."""

    process: subprocess.Popen[bytes]
    lifeline: int
    on_files: Callable[[list[str]], None]
    released: threading.Event = field(default_factory=threading.Event)
    schedules_through: str | None = None

    def listen(self, pipe: int) -> None:
        with open(pipe, encoding="utf-8") as lines:
            for line in lines:
                said = json.loads(line)
                if "watch" in said:
                    self.on_files(said["watch"])
                if "released" in said:
                    self.schedules_through = said["released"]
                    self.released.set()


class Reloader:
    """Serve the App of `package` at `host:port` in a child process running `python -m providers.local` with
    `served` options."""

    def __init__(
        self,
        host: str,
        port: int,
        served: list[str],
        root: Path = PROJECT_ROOT,
        package: str = "functions",
        *,
        expose_control: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.served = served + ["--host", host] + ["--expose-control"] * expose_control
        self.root = root
        # One token for every server this reloader starts, so that it holds across reloads.
        self.control = ControlAccess.for_host(host, expose_control)
        self.watched = Watched(root, package)
        self.changes: queue.Queue[Path] = queue.Queue()
        self._observer: BaseObserver | None = None
        self._handler: FileSystemEventHandler | None = None
        self._folders: set[Path] = set()

    def run(self) -> int:
        try:
            listener = _listen(self.host, self.port)
        except OSError as exc:
            print(
                f"error: cannot listen on {self.host}:{self.port}: {exc.strerror}; stop what uses the port, or "
                "choose another with --port",
                file=sys.stderr,
            )
            return 1
        signal.signal(signal.SIGTERM, _interrupted)
        observer = self._watch()
        url = f"http://{url_host(self.host)}:{listener.getsockname()[1]}"
        child: Child | None = None
        try:
            with listener, signed_urls.served_at(local_dir(), url):
                child = self._start(listener, None)
                while True:
                    changed = self._next_change(child)
                    if changed is None:  # the child ended by itself
                        assert child is not None
                        print(
                            f"Portable local: the server exited with {child.process.returncode}; it starts again "
                            "when a file changes",
                            file=sys.stderr,
                            flush=True,
                        )
                        child = None
                        changed = self.changes.get()
                        self._settle()
                    print(
                        f"Portable local: {shown_path(str(changed), self.root)} changed, reloading",
                        file=sys.stderr,
                        flush=True,
                    )
                    since = self._stop(child) if child is not None else None
                    child = self._start(listener, since)
        except KeyboardInterrupt:
            pass
        finally:
            observer.stop()
            if child is not None:
                self._stop(child)
                _wait(child.process, STOP_SECONDS)
        return 0

    def _watch(self) -> BaseObserver:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        changes, watched = self.changes, self.watched

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type not in _WATCHED_EVENTS:
                    return  # reading a file (importing it) is no change
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    if path and Path(os.fsdecode(path)) in watched:
                        changes.put(Path(os.fsdecode(path)))

        self._handler = handler = Handler()
        try:
            self._observer = self._started(Observer(), handler)
        except OSError as exc:  # e.g. the system's limit of inotify watches is reached
            from watchdog.observers.polling import PollingObserver

            print(
                f"Portable local: watching files by polling them, since the system's file events failed: {exc}",
                file=sys.stderr,
                flush=True,
            )
            self._observer = self._started(PollingObserver(), handler)
        return self._observer

    def _started(self, observer: BaseObserver, handler: FileSystemEventHandler) -> BaseObserver:
        self._folders = set()
        for folder, recursive in self.watched.folders():
            observer.schedule(handler, str(folder), recursive=recursive)
            self._folders.add(folder)
        observer.daemon = True
        observer.start()
        return observer

    def _files_reported(self, files: list[str]) -> None:
        """A serving process imported `files`: watch their folders too (the changes in them are filtered)."""
        for folder in self.watched.report(files):
            if folder in self._folders or self.watched.covers(folder):
                continue
            if self._observer is not None and self._handler is not None:
                with suppress(OSError):  # a folder removed meanwhile: its files reload nothing any more
                    self._observer.schedule(self._handler, str(folder), recursive=False)
                    self._folders.add(folder)

    def _next_change(self, child: Child) -> Path | None:
        """The first file changed, once the changes have settled; None if the child exits first."""
        while True:
            try:
                changed = self.changes.get(timeout=0.2)
            except queue.Empty:
                if child.process.poll() is not None:
                    return None
                continue
            self._settle()
            return changed

    def _settle(self) -> None:
        """Wait until no change has come for QUIET_SECONDS, and forget the ones that came."""
        while True:
            try:
                self.changes.get(timeout=QUIET_SECONDS)
            except queue.Empty:
                return

    def _start(self, listener: socket.socket, since: str | None) -> Child:
        read, write = os.pipe()
        lifeline, held = os.pipe()
        command = [
            sys.executable,
            "-m",
            "providers.local",
            *self.served,
            "--listen-fd",
            str(listener.fileno()),
            "--report-fd",
            str(write),
            "--lifeline-fd",
            str(lifeline),
        ]
        if since is not None:
            command += ["--schedules-since", since]
        env = {**os.environ, **({CONTROL_TOKEN_VARIABLE: self.control.token} if self.control.token else {})}
        process = subprocess.Popen(command, pass_fds=(listener.fileno(), write, lifeline), env=env)
        os.close(write)
        os.close(lifeline)
        child = Child(process, held, self._files_reported)
        threading.Thread(target=child.listen, args=(read,), daemon=True).start()
        return child

    def _stop(self, child: Child) -> str | None:
        """Ask `child` to stop; once it has let go of the schedules (or ended), through when they fired."""
        with suppress(OSError):  # the child stops as on SIGTERM: see server.stop_with_reloader
            os.close(child.lifeline)
        deadline = time.monotonic() + STOP_SECONDS
        while not child.released.wait(0.05):
            if child.process.poll() is not None:
                break
            if time.monotonic() > deadline:
                child.process.kill()
                break
        return child.schedules_through


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=128)
    listener.set_inheritable(True)
    return listener


def _wait(process: subprocess.Popen[bytes], seconds: float) -> None:
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
