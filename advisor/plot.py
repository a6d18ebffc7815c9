"""The tier advisor's PNG: monthly cost against the planned worst-case RTO, and against the
planned worst-case RPO; one point per tier, each confirmed suggestion, and the original
design's claim marked as a claim; the targets as vertical lines.

The figure's data can be read back without looking at pixels: each group of points is one
scatter collection whose ``gid`` is ``tiers``, ``suggestions`` or ``claim``, and each target
line a line whose ``gid`` is ``target``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advisor.result import Advice, Outcome


def _points(outcomes: list[Outcome], kind: str) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for o in outcomes:
        est = o.rto if kind == "RTO" else o.rpo
        if est is not None and o.monthly_usd is not None:
            xs.append(est.total_seconds / 60)
            ys.append(o.monthly_usd)
    return xs, ys


_MEETS, _MISSES = "#31a354", "#d7301f"


def _tier_handles() -> list[Any]:
    from matplotlib.lines import Line2D

    return [Line2D([], [], marker="o", linestyle="", color=colour, label=label)
            for colour, label in ((_MEETS, "tier that meets the targets"),
                                  (_MISSES, "tier that misses them"))]


def _label(o: Outcome) -> str:
    return o.strategy + "".join(f"\n{c.path} {c.new}" for c in o.variant.changes)


def figure(a: Advice) -> Any:
    """The matplotlib Figure (Agg backend): two panels, cost (USD/month) against RTO and RPO
    (minutes)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.8))
    axes = fig.subplots(1, 2, sharey=True)
    confirmed = [s.outcome for s in a.suggestions if s.confirmed and s.outcome is not None]
    rec = a.recommended
    for ax, kind, target in zip(axes, ("RTO", "RPO"), a.targets, strict=True):
        evaluated = [o for o in a.tiers if o.monthly_usd is not None]
        xs, ys = _points(evaluated, kind)
        ax.scatter(xs, ys, s=60, color=[_MEETS if o.meets else _MISSES for o in evaluated],
                   zorder=3).set_gid("tiers")
        for o, x, y in zip(evaluated, xs, ys, strict=True):
            ax.annotate(_label(o) + (" (recommended)" if o is rec else ""), (x, y),
                        textcoords="offset points", xytext=(6, 4), fontsize=8)
        sx, sy = _points(confirmed, kind)
        ax.scatter(sx, sy, s=50, marker="D", facecolors="none", edgecolors="#2b8cbe", zorder=3,
                   label="suggested change (checked by the pack)").set_gid("suggestions")
        for o, x, y in zip(confirmed, sx, sy, strict=True):
            ax.annotate(_label(o), (x, y), textcoords="offset points", xytext=(6, -18),
                        fontsize=7, color="#2b8cbe")
        c = a.claim
        cx = (c.rto_seconds if kind == "RTO" else c.rpo_seconds) / 60
        ax.scatter([cx], [c.monthly_usd], s=80, marker="*", color="#756bb1", zorder=3,
                   label=f"{c.label}: not measured").set_gid("claim")
        if target:
            ax.axvline(target / 60, color="#d7301f", linestyle="--",
                       label=f"{kind} target {target / 60:g} min").set_gid("target")
        ax.set_xlabel(f"planned worst-case {kind}, minutes (configured + modelled)")
        ax.set_title(f"cost against {kind}", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(handles=[*_tier_handles(), *ax.get_legend_handles_labels()[0]], fontsize=7,
                  loc="upper right")
    axes[0].set_ylabel("monthly DR cost, USD (modelled)")
    fig.suptitle(f"DR tiers for stack {a.stack}: modelled monthly cost against planned RTO and RPO",
                 fontsize=11)
    fig.tight_layout()
    return fig


def write(a: Advice, path: Path) -> Path:
    """Write :func:`figure` as a PNG to ``path`` (folders created). Returns the path.

    Raises:
        OSError: the file cannot be written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure(a).savefig(path, dpi=110)
    return path
