"""``drill-timeline.png``: the drill's measured steps, the customers' orders per second
(acknowledged per Region and failed, with the failure, promotion and traffic-shift marks and
the waits the drill skipped), and the RTO achieved term by term."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_MARKS = {"link_stalled": ("link stalled", "#8c6bb1"), "failure": ("failure", "#d7301f"),
          "refused": ("readiness refused", "#fe9929"), "forced": ("forced", "#cc4c02"),
          "promoted": ("promotion (PostgreSQL)", "#238b45"),
          "traffic_shift": ("traffic shift (gate ALARM)", "#2171b5"),
          "primary_recovered": ("primary Region recovered", "#41ab5d"),
          "failback": ("failback started", "#6a51a3"),
          "switched_over": ("switchover (back to the primary)", "#6a51a3"),
          "second_failure": ("second failure", "#99000d")}
_REGION_COLORS = ("#6baed6", "#31a354", "#9e9ac8")


def customers_panel(ax: Any, r: dict[str, Any]) -> bool:
    """The customers' orders per second, acknowledged (stacked by Region) and failed, with the
    marks; False when there is nothing to plot."""
    customers = ((r.get("data") or {}).get("customers") or {})
    series = customers.get("series") or []
    if not series:
        return False
    t = [b["t"] for b in series]
    regions = sorted({reg for b in series for reg in b["acked"]})
    bottom = [0] * len(t)
    for k, region in enumerate(regions):
        n = [b["acked"].get(region, 0) for b in series]
        ax.bar(t, n, bottom=bottom, width=0.9, align="edge",
               color=_REGION_COLORS[k % len(_REGION_COLORS)], label=f"acknowledged by {region}")
        bottom = [a + b for a, b in zip(bottom, n, strict=True)]
    ax.plot([x + 0.45 for x in t], [b["failed"] for b in series], color="#d7301f", marker="x",
            linewidth=1.2, label="failed")
    for key, at in (customers.get("marks") or {}).items():
        label, color = _MARKS.get(key, (key.replace("_", " "), "#636363"))
        ax.axvline(at, color=color, linestyle="--", linewidth=1.2, label=label)
    ax.set_ylabel("orders / s")
    ax.set_xlabel("seconds since the drill started (wall clock on 127.0.0.1)")
    rate = customers.get("order_rate_per_second")
    ax.set_title(f"Customers through the failover name ({rate:g} orders/s offered), measured",
                 fontsize=9)
    # beside the panel, so that neither the bars nor the skip labels are hidden under it
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    for skip in r.get("clock_skips") or []:
        ax.axvline(skip["wall_offset_seconds"], color="#969696", linestyle=":", linewidth=1)
    return True


def _grouped(ax: Any, skips: list[dict[str, Any]]) -> list[tuple[float, float, str]]:
    """``(wall offset, seconds, name)`` per label: skips of one name each within 3 % of the
    panel's time span of the one before it (e.g. an orchestrator's poll waits) share one,
    whatever other skips fall between them."""
    lo, hi = ax.get_xlim()
    window = 0.03 * (hi - lo)
    groups: list[list[Any]] = []   # [first x, last x, seconds, name, count]
    for skip in sorted(skips, key=lambda sk: sk["wall_offset_seconds"]):
        x, name = skip["wall_offset_seconds"], skip["name"].split(":")[0]
        near = next((g for g in reversed(groups) if g[3] == name and x - g[1] < window), None)
        if near is None:
            groups.append([x, x, skip["seconds"], name, 1])
        else:
            near[1], near[2], near[4] = x, near[2] + skip["seconds"], near[4] + 1
    return [(x, sec, name if n == 1 else f"{name} x{n}") for x, _, sec, name, n in groups]


def skip_labels(ax: Any, skips: list[dict[str, Any]]) -> list[Any]:
    """Label the waits the drill skipped at the top of the panel, once the figure's layout is
    final: right of the line, or left of it where the label would leave the panel; a label
    that would overlap one already placed goes a row lower (9 rows: a drill skips far fewer
    waits). Returns the texts."""
    renderer = ax.figure.canvas.get_renderer()
    inside, placed, texts = ax.get_window_extent(renderer), [], []
    for x, seconds, name in _grouped(ax, skips):
        text = ax.text(x, 0.98, f"clock skipped {seconds:.0f} s\n({name})", fontsize=6,
                       color="#636363", va="top", transform=ax.get_xaxis_transform(),
                       bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})
        if text.get_window_extent(renderer).x1 > inside.x1:
            text.set_horizontalalignment("right")
        y = 0.98
        while y > 0.15 and any(text.get_window_extent(renderer).overlaps(p) for p in placed):
            y -= 0.1
            text.set_y(y)
        placed.append(text.get_window_extent(renderer))
        texts.append(text)
    return texts


def timeline_png(r: dict[str, Any], path: Path) -> None:
    """Three panels (:func:`figure`) written to ``path`` as PNG."""
    import matplotlib.pyplot as plt

    fig = figure(r)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure(r: dict[str, Any]) -> Any:
    """A matplotlib figure of three panels: the drill's measured steps on the emulator
    (seconds), the customers' orders per second, and the achieved RTO term by term (minutes,
    measured vs modelled) against the target. The caller closes it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax3, ax2) = plt.subplots(3, 1, figsize=(10, 10.5), dpi=110,
                                        gridspec_kw={"height_ratios": [3, 2, 1.2]})
    if not customers_panel(ax3, r):
        ax3.set_axis_off()
        ax3.text(0.5, 0.5, "no customer data (the data plane did not run)", ha="center",
                 transform=ax3.transAxes)
    steps = r["timeline"]
    colors = {"ok": "#2b8cbe", "failed": "#d7301f", "skipped": "#bdbdbd"}
    for i, s in enumerate(steps):
        ax1.barh(i, max(s["seconds"], 0.01), left=s["started_offset_seconds"],
                 color=colors.get(s["status"], "#2b8cbe"))
        ax1.text(s["started_offset_seconds"] + s["seconds"], i,
                 f" {s['seconds']:.2f} s, {sum(s['api_calls'].values())} handler calls",
                 va="center", fontsize=8)
    ax1.set_yticks(range(len(steps)), [s["step"] for s in steps])
    ax1.invert_yaxis()
    ax1.set_xlabel("seconds since the drill started (measured on the emulator)")
    d = r["drill"]
    ax1.set_title(f"DR drill {d['stack']} / {d['scenario']} / {d['strategy']}: "
                  f"{r['verdict'].upper()}")
    achieved = r["rto"]["achieved"]
    if achieved:
        left = 0.0
        measured = ["#31a354", "#a1d99b"]
        modelled = ["#e6550d", "#fdae6b", "#fd8d3c", "#fdd0a2", "#a63603", "#d94801"]
        for k, t in enumerate(achieved["terms"]):
            minutes = t["seconds"] / 60
            palette = measured if t["basis"] == "measured" else modelled
            ax2.barh(0, minutes, left=left, color=palette[k % len(palette)], edgecolor="white",
                     label=f"{t['name'].split(' (')[0]}: {t['seconds']:.0f} s [{t['basis']}]")
            left += minutes
        target = achieved["target_seconds"] / 60
        if target <= left * 1.5:
            ax2.axvline(target, color="#d7301f", linestyle="--")
            ax2.set_xlim(0, max(left, target) * 1.05)
        else:
            ax2.set_xlim(0, left * 1.5)
            ax2.text(left * 1.48, 0, f"RTO target {target:.0f} min ->", color="#d7301f",
                     ha="right", va="center", fontsize=9)
        ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, fontsize=7,
                   frameon=False)
        ax2.set_title(f"RTO achieved {left:.1f} min term by term (green measured on the "
                      f"emulator, orange modelled AWS-side) vs target {target:.0f} min",
                      fontsize=9)
    ax2.set_yticks([])
    ax2.set_xlabel("minutes")
    fig.tight_layout()
    if ax3.axison:
        skip_labels(ax3, r.get("clock_skips") or [])
    return fig
