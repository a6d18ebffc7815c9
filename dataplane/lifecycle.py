"""The ``with`` protocol shared by the data plane's background services (link, shop app,
customers): entering starts the service, leaving closes it, on an exception too (layer 1 of
:mod:`dataplane.cleanup`)."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Service:
    """Base of a service with ``start() -> self`` and an idempotent ``close()``."""

    def start(self) -> Self:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
