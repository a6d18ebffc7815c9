"""The site's existing parts, which the DR program does not create: one application endpoint
per Region, the hosted zone and the primary database.

* :class:`LoopbackEndpoint`: a small HTTP server on 127.0.0.1 that answers ``GET /health``
  (and any other path, for warm-up URLs) with 200 while up; :meth:`LoopbackEndpoint.stop_answering`
  closes its socket, so probes get "connection refused" as from a dead load balancer.
* :func:`stand_up_site`: the hosted zone and the encrypted primary DB instance in the
  emulator, named from the validated stack config (the primary's ARN in the emulator equals
  ``database.primaryInstanceArn``, as both use account 123456789012).
"""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass
from typing import Any

from components.settings import DrSettings


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.hits += 1  # type: ignore[attr-defined]

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep quiet
        return


class LoopbackEndpoint:
    """One Region's application endpoint, on 127.0.0.1."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.hits = 0

    def start(self, port: int = 0) -> LoopbackEndpoint:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.hits = 0  # type: ignore[attr-defined]
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=f"endpoint-{self.name}")
        self._thread.start()
        return self

    @property
    def requests(self) -> int:
        """Requests answered so far (across stops and restarts)."""
        live = self._server.hits if self._server is not None else 0  # type: ignore[attr-defined]
        return self.hits + live

    @property
    def answering(self) -> bool:
        return self._server is not None

    def stop_answering(self) -> None:
        """Close the listening socket: the endpoint is down (connection refused)."""
        if self._server is not None:
            self.hits += self._server.hits  # type: ignore[attr-defined]
            self._server.hits = 0  # type: ignore[attr-defined]
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def resume(self) -> None:
        """Answer again on the same port (the primary recovering)."""
        if self._server is None:
            self.start(self.port)

    def url(self, path: str = "/health") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@dataclass
class Site:
    """What existed before the DR program: endpoints, zone, primary database."""

    primary: LoopbackEndpoint
    standby: LoopbackEndpoint
    hosted_zone_id: str          # the emulator's id for the configured zone
    configured_zone_id: str      # site.hostedZoneId from the stack config
    primary_db_arn: str

    def stop(self) -> None:
        self.primary.stop_answering()
        self.standby.stop_answering()


def zone_name(fqdn: str) -> str:
    """The zone a site FQDN lives in: ``shop.example.com`` -> ``example.com``."""
    return fqdn.split(".", 1)[1]


def stand_up_site(settings: DrSettings, client: Any) -> Site:
    """Create the site's existing parts in the emulator and start both endpoints.

    Args:
        settings: the validated stack config.
        client: ``(service, region) -> boto3 client`` pointed at the emulator.

    Raises:
        RuntimeError: the emulator's primary ARN differs from ``database.primaryInstanceArn``
            (the config's account is not moto's 123456789012).
    """
    db = settings.database
    rds = client("rds", settings.primary_region)
    rds.create_db_instance(
        DBInstanceIdentifier=db.primary_identifier, DBInstanceClass=db.instance_class,
        Engine="postgres", AllocatedStorage=100, StorageEncrypted=True,
        MasterUsername="shop", MasterUserPassword="drill-only-password",
        BackupRetentionPeriod=db.backup_retention_days,
        Tags=[{"Key": "app", "Value": "shop"}])
    arn = rds.describe_db_instances(DBInstanceIdentifier=db.primary_identifier
                                    )["DBInstances"][0]["DBInstanceArn"]
    if arn != db.primary_instance_arn:
        raise RuntimeError(f"emulator primary ARN {arn} differs from database.primaryInstanceArn "
                           f"{db.primary_instance_arn}; the drill needs account 123456789012")
    zone = client("route53", settings.primary_region).create_hosted_zone(
        Name=zone_name(settings.site.failover_fqdn), CallerReference=f"drill-{settings.site.hosted_zone_id}")
    return Site(primary=LoopbackEndpoint("primary").start(),
                standby=LoopbackEndpoint("standby").start(),
                hosted_zone_id=zone["HostedZone"]["Id"].rsplit("/", 1)[-1],
                configured_zone_id=settings.site.hosted_zone_id,
                primary_db_arn=arn)
