"""A background counter that shows whether the GIL is free while a C call runs."""

from __future__ import annotations

import threading
import time
from types import TracebackType


class Ticker:
    """Counts in a thread of its own; a C call that held the GIL would stop the count.

    Use as a context manager; read :attr:`count` before and after the call.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.count = 0
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.count += 1
            time.sleep(self._interval)

    def __enter__(self) -> Ticker:
        self._thread.start()
        time.sleep(0.02)  # let it start ticking
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
