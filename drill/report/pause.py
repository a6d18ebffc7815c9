"""The customer-visible write pause as every report prints it (terminal and Markdown, the
failback and the DR cycle alike): ``<measured> s measured + <skipped> s modelled, skipped on the
drill's clock (<what was skipped>), <n> order(s) refused``."""

from __future__ import annotations

from typing import Any


def seconds(value: float | None) -> str:
    """``0.608 s`` under 10 s, ``60 s`` from there; ``-`` for None."""
    return "-" if value is None else f"{value:.3f} s" if value < 10 else f"{value:.0f} s"


def write_pause(p: dict[str, Any] | None) -> str:
    """``p`` is a pause as :func:`drill.data.loss.split` gives it (``drill_clock_seconds``,
    ``measured_seconds``, ``skipped_seconds``, ``skipped``: names), with ``failed_orders``
    when counted; the measured part was waited for on the emulator, the skipped part stands
    for an AWS-side wait (a DNS TTL, a gate window) the drill did not sit through."""
    if not p or p.get("drill_clock_seconds") is None:
        return "no order refused" if p and p.get("failed_orders") == 0 else "not measured"
    out = f"{seconds(p.get('measured_seconds'))} measured"
    if p.get("skipped_seconds"):
        out += (f" + {seconds(p['skipped_seconds'])} modelled, skipped on the drill's clock "
                f"({', '.join(p.get('skipped') or [])})")
    if p.get("failed_orders") is not None:
        out += f"; {p['failed_orders']} order(s) refused"
    return out
