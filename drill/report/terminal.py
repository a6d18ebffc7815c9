"""The drill's verdict for the terminal, as plain lines (:func:`summary_lines`).

The first line is the verdict; a FAIL names its first cause on that line. Then the data (orders
acknowledged and lost, the data-loss window, the lag at the failure as the metric and as
PostgreSQL showed it, the customer-visible outage measured on the emulator with the modelled
AWS-side terms beside it), the RTO and RPO *achieved* term by term, and every failure.
"""

from __future__ import annotations

from typing import Any

from drill.report import as_dict, cycle, deployment, failback


def _s(seconds: float | None, digits: int = 3) -> str:
    return "-" if seconds is None else f"{seconds:.{digits}f} s"


def _verdict(r: dict[str, Any]) -> str:
    d = r["drill"]
    share = r.get("data_plane", {})
    head = (f"{r['verdict'].upper()} {d['scenario']} / {d['strategy']} in {d['wall_seconds']:.1f} s "
            f"(data plane {share.get('seconds', 0):.1f} s of it)")
    if r["failures"]:
        more = f" (+{len(r['failures']) - 1} more below)" if len(r["failures"]) > 1 else ""
        head += f": {r['failures'][0]}{more}"
    return head


def _orders(data: dict[str, Any]) -> list[str]:
    o, writer = data["orders"], data["new_writer"]
    if not data.get("failed_over", True):
        return [f"Orders: {o['acknowledged']} acknowledged, {o['failed_after_failure']} failed after "
                f"the failure; nothing failed over: {o['lost']} acknowledged order(s) are not on "
                f"the standby's database ({writer['server']}, {writer['region']}): a forced "
                f"failover would lose them"]
    window = data["data_loss_window"]
    skipped = (f", of which {window['skipped_seconds']} s skipped on the drill's clock "
               f"({', '.join(window['skipped'])}, modelled)" if window.get("skipped_seconds") else "")
    lines = [f"Orders: {o['acknowledged']} acknowledged ({o['acknowledged_by_old_primary']} by the "
             f"old primary, {o['acknowledged_by_new_writer']} by the new writer), {o['lost']} lost; "
             f"data-loss window {_s(data['data_loss_window_seconds'])}{skipped} "
             f"- measured from {writer['server']}'s database ({writer['region']})"]
    if o.get("stranded_on_old_primary") is not None:
        lines.append(f"Old primary back: {o['stranded_on_old_primary']} order(s) stranded on it, "
                     f"{o['stranded_acknowledged_count']} acknowledged to customers: to reconcile")
    return lines


def _lag(lag: dict[str, Any]) -> list[str]:
    out = []
    for name, v in lag.items():
        metric = v.get("metric") or {}
        pg = v.get("postgres") or {}
        raw = pg.get("replay_lag_seconds")
        raw_text = f", replay_lag {_s(raw, 4)}" if raw is not None else ""
        out.append(f"Replication lag at the failure, {name}: {_s(metric.get('seconds'))} as the "
                   f"metric showed it (newest one-minute maximum, drill clock); "
                   f"{_s(pg.get('seconds'), 4)} as PostgreSQL showed it ({pg.get('state', '-')}"
                   f"{raw_text}, {pg.get('bytes_behind', '-')} bytes of WAL behind)")
    return out


def _outage(data: dict[str, Any]) -> list[str]:
    if not data.get("failed_over", True):
        return []
    o = data["outage"]
    skipped = (f"; on the drill's clock {_s(o['drill_clock_seconds'], 1)}, of which "
               f"{_s(o['skipped_seconds'], 1)} skipped ({', '.join(o['skipped'])}, modelled)"
               if o.get("skipped_seconds") else "")
    terms = ", ".join(f"{t['name'].split(' (')[0]} {t['seconds']:.0f} s"
                      for t in o["modelled_aws_terms"])
    return [f"Customer-visible outage: {_s(o['measured_seconds'], 2)} measured on the emulator "
            f"(first failed order -> first order acknowledged by the new writer through the "
            f"failover name){skipped}",
            f"  beside it, modelled AWS-side (not in the measured figure): {terms}"]


def _data(r: dict[str, Any]) -> list[str]:
    data = r.get("data") or {}
    lines: list[str] = []
    if r.get("refusal"):
        ref = r["refusal"]
        lines.append(f"Readiness refused ({ref['status']}): {'; '.join(ref['reasons'])}")
    if not data.get("counted"):
        return lines + ([f"Data: not counted ({data['why']})"] if data.get("why") else [])
    return (lines + _orders(data) + _lag(data.get("lag_at_failure") or {}) + _outage(data)
            + failback.terminal_lines(data))


def summary_lines(result: Any) -> list[str]:
    """The verdict, data, RTO/RPO achieved and failures of a :class:`drill.result.DrillResult`."""
    r = as_dict(result)
    lines = [_verdict(r), *_data(r), *cycle.terminal_lines(r)]
    if applied := deployment.counts_line(r):
        lines.append(f"Deployment{' (the deploy step)' if r.get('cycle') else ''}: {applied}")
    for kind in ("rto", "rpo"):
        if r[kind]["breakdown"]:
            lines += r[kind]["breakdown"].splitlines()
    lines += [f"Expected: {f}" for f in r.get("expected_findings", [])]
    lines += [f"  - {f}" for f in r["failures"]]
    return lines
