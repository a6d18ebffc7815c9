"""A Region's shop as the site endpoint the handlers and Route 53 probe (:class:`ShopEndpoint`).

The handlers' health URLs and warm URLs point here; ``GET /health`` is the shop's own (healthy
only while its database takes the app's writes). :attr:`ShopEndpoint.requests` counts the
requests that came from outside the drill (the handlers' probes and warm-ups): the health-
check bridge's probes and the customers' orders are the drill's own.
"""

from __future__ import annotations

from dataplane.shop import ShopApp
from emulator.bridges import PROBE_USER_AGENT


class ShopEndpoint:
    """The site endpoint of one Region, backed by ``app`` (started here).

    Args:
        name: ``"primary"`` or ``"standby"``, for messages.
        app: the Region's shop (its database may be attached later).
    """

    def __init__(self, name: str, app: ShopApp) -> None:
        self.name = name
        self.app = app.start()

    @property
    def port(self) -> int:
        return self.app.port

    @property
    def answering(self) -> bool:
        return self.app.serving

    @property
    def requests(self) -> int:
        """``GET`` requests answered that did not come from the drill itself."""
        return sum(n for (method, _, agent), n in self.app.hit_counts().items()
                   if method in ("GET", "HEAD") and agent != PROBE_USER_AGENT)

    def url(self, path: str = "/health") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop_answering(self) -> None:
        """The Region's load balancer is gone: connections are refused."""
        self.app.close()

    def resume(self) -> None:
        """Answer again, on the same port."""
        self.app.start()

    def close(self) -> None:
        self.app.close()
