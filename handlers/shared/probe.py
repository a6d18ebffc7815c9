"""HTTP health probes with a hard timeout, for health URLs over http or https.

A probe never raises: a refused connection, a timeout, a TLS error or a non-2xx/3xx status
is a failed probe with the reason in ``detail``. "Healthy" follows the Route 53 HTTP(S)
health-check rule: a 2xx or 3xx status (Amazon Route 53 Developer Guide, "How Amazon Route 53
determines whether a health check is healthy",
https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class ProbeResult:
    """One probe: ``healthy``, the HTTP ``status`` (None without a response), ``detail``
    (reason text) and ``elapsed_seconds``."""

    url: str
    healthy: bool
    status: int | None
    detail: str
    elapsed_seconds: float

    def as_dict(self) -> dict[str, object]:
        return {"url": self.url, "healthy": self.healthy, "status": self.status,
                "detail": self.detail, "elapsed_seconds": round(self.elapsed_seconds, 3)}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A 3xx already counts as healthy (Route 53 rule); following it could leave the Region.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def probe(url: str, timeout_seconds: float, method: str = "GET") -> ProbeResult:
    """GET (or ``method``) ``url`` once within ``timeout_seconds`` (connect and read each).

    Args:
        url: ``http://`` or ``https://`` URL.
        timeout_seconds: socket timeout in seconds.

    Raises:
        ValueError: the URL scheme is not http or https (a config error, not a failed probe).
    """
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"probe URL must be http:// or https://, got {url!r}")
    started = time.monotonic()
    request = urllib.request.Request(url, method=method,
                                     headers={"User-Agent": "ecommerce-dr-probe/1"})
    try:
        with _OPENER.open(request, timeout=timeout_seconds) as response:
            status = int(response.status)
            return ProbeResult(url, 200 <= status < 400, status, f"HTTP {status}",
                               time.monotonic() - started)
    except urllib.error.HTTPError as e:
        return ProbeResult(url, 300 <= e.code < 400, e.code, f"HTTP {e.code}",
                           time.monotonic() - started)
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        return ProbeResult(url, False, None, f"{type(e).__name__}: {reason}",
                           time.monotonic() - started)
