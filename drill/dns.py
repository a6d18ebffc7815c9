"""The answer Route 53 would give for the failover name, worked out from outside.

Route 53 failover routing ("Active-active and active-passive failover", Amazon Route 53
Developer Guide, https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html)
answers with the PRIMARY record while the PRIMARY's health check is healthy (a record without
a health check counts as healthy), else with the SECONDARY if that one is healthy; when both
are unhealthy it answers with the PRIMARY. The records are read back from the emulator (what was
deployed), the health states come from the ``health-check-status`` bridge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def failover_answer(route53: Any, zone_id: str, fqdn: str,
                    healthy: Callable[[str], tuple[bool, str]]) -> dict[str, Any]:
    """Resolve ``fqdn`` in ``zone_id`` the way Route 53 would (records read from ``route53``).

    Returns:
        ``{"name", "answer": "PRIMARY" | "SECONDARY", "values": [...], "ttl",
        "set_identifier", "records": [{"failover", "set_identifier", "health_check_id",
        "healthy", "why"}]}``.

    Raises:
        LookupError: no PRIMARY/SECONDARY pair for the name.
    """
    sets = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return answer_from(sets, fqdn, healthy)


def answer_from(record_sets: list[dict[str, Any]], fqdn: str,
                healthy: Callable[[str], tuple[bool, str]]) -> dict[str, Any]:
    """:func:`failover_answer` over record sets already read (``ListResourceRecordSets``
    items): the customers' resolver reads them once, so resolving makes no Route 53 call.

    Raises:
        LookupError: no PRIMARY/SECONDARY pair for the name.
    """
    name = fqdn.rstrip(".") + "."
    pair = {r["Failover"]: r for r in record_sets if r["Name"] == name and r.get("Failover")}
    if set(pair) != {"PRIMARY", "SECONDARY"}:
        raise LookupError(f"{fqdn}: expected PRIMARY and SECONDARY failover records, "
                          f"found {sorted(pair)}")
    seen: list[dict[str, Any]] = []
    states: dict[str, bool] = {}
    for kind in ("PRIMARY", "SECONDARY"):
        r = pair[kind]
        hc = r.get("HealthCheckId")
        ok, why = healthy(hc) if hc else (True, "no health check: always healthy")
        states[kind] = ok
        seen.append({"failover": kind, "set_identifier": r.get("SetIdentifier"),
                     "health_check_id": hc, "healthy": ok, "why": why})
    answer = "PRIMARY" if states["PRIMARY"] or not states["SECONDARY"] else "SECONDARY"
    chosen = pair[answer]
    values = ([v["Value"] for v in chosen.get("ResourceRecords", [])]
              or [chosen.get("AliasTarget", {}).get("DNSName", "")])
    return {"name": fqdn, "answer": answer, "values": values, "ttl": chosen.get("TTL"),
            "set_identifier": chosen.get("SetIdentifier"), "records": seen}
