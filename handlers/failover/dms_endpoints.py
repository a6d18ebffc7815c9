"""Which database a DMS endpoint reads or writes, as DescribeEndpoints reports it (in the
Region of the replication instance, the standby Region), and whether it is the new primary a
dms failback recorded (:class:`handlers.failover.records.ReverseTarget`).

An endpoint names its database by its Secrets Manager secret
(``<Engine>Settings.SecretsManagerSecretId``) or by its server (``ServerName``, ``Port``,
``DatabaseName``) (AWS DMS API Reference, "Endpoint",
https://docs.aws.amazon.com/dms/latest/APIReference/API_Endpoint.html).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.failover import database
from handlers.failover.records import ReverseTarget

#: The engine settings blocks of DescribeEndpoints that carry the endpoint's secret.
_SETTINGS = ("PostgreSQLSettings", "MySQLSettings")


def endpoint(dms: Any, arn: str) -> dict[str, Any] | None:
    """The DMS endpoint ``arn``, or None."""
    return database.first_found(
        lambda: dms.describe_endpoints(Filters=[{"Name": "endpoint-arn", "Values": [arn]}]),
        "Endpoints", not_found="ResourceNotFoundFault")


def reads(ep: dict[str, Any]) -> tuple[str, ...] | None:
    """The database an endpoint names: ``("secret", arn)``, ``("server", host, port, db)``,
    or None when it names neither."""
    for key in _SETTINGS:
        secret = (ep.get(key) or {}).get("SecretsManagerSecretId")
        if secret:
            return ("secret", str(secret))
    if ep.get("ServerName"):
        return ("server", str(ep["ServerName"]).lower(), str(ep.get("Port", "")),
                str(ep.get("DatabaseName", "")))
    return None


def names_new_primary(named: Sequence[str] | None, target: ReverseTarget) -> bool:
    """Whether ``named`` (a :func:`reads` answer) is the failback's new primary: its recorded
    managed secret, or its recorded address."""
    if not named:
        return False
    if named[0] == "secret":
        return bool(target.new_primary_secret_arn) and named[1] == target.new_primary_secret_arn
    address = (target.new_primary_address or "").lower()
    return bool(address) and len(named) > 1 and named[1] == address


def describe(named: Sequence[str] | None) -> str:
    """``named`` for a message: ``secret <arn>``, ``server <host>`` or ``no database``."""
    return f"{named[0]} {named[1]}" if named and len(named) > 1 else "no database"
