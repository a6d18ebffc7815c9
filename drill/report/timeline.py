"""``drill-timeline.png``: the drill's measured steps and the RTO achieved term by term."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def timeline_png(r: dict[str, Any], path: Path) -> None:
    """Two panels: the drill's measured steps on the emulator (seconds), and the achieved
    RTO term by term (minutes, measured vs modelled) against the target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7.5),
                                   gridspec_kw={"height_ratios": [3, 1.2]})
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
    fig.savefig(path, dpi=110)
    plt.close(fig)
