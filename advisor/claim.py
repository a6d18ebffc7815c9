"""The original design's own figures, kept once: the advisor's comparison row, its plot and
the benchmarks print them, always labelled as a claim (nobody measured them, and they are not
modelled by this project).

Source: the original design document this project grew from, "RTO & RPO Implementation
Summary": "Total Cost Analysis" ($2.70/month for automated failover plus $10.25/month for
hourly backups, "Total Additional $12.95"), the failover timeline ("Total Time: 8.5 minutes",
detection "in 90 seconds") and "RPO Achieved: ≤ 1 hour".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

SOURCE: Final = ("the original design document ('RTO & RPO Implementation Summary': Total Cost "
                 "Analysis, failover timeline, RPO section)")


@dataclass(frozen=True)
class Claim:
    """What the original design claims for its DR (a claim, not a measurement).

    Attributes:
        label: how tables name the row.
        monthly_usd: claimed DR cost, USD per month.
        parts: the claimed cost's parts, USD per month.
        rto_seconds: claimed failover time (8.5 min).
        rpo_seconds: claimed RPO bound ("≤ 1 hour").
        detection_seconds: claimed detection time.
        source: where the figures are written.
    """

    label: str = "original design (claim)"
    monthly_usd: float = 12.95
    parts: dict[str, float] = field(default_factory=lambda: {
        "automated failover (RTO)": 2.70, "hourly backups (RPO)": 10.25})
    rto_seconds: float = 8.5 * 60
    rpo_seconds: float = 3600.0
    detection_seconds: float = 90.0
    source: str = SOURCE

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "basis": "claim", "monthly_usd": self.monthly_usd,
                "parts": dict(self.parts), "rto_seconds": self.rto_seconds,
                "rpo_seconds": self.rpo_seconds, "rpo_is_upper_bound": True,
                "detection_seconds": self.detection_seconds, "source": self.source}


#: The claim.
SEED_CLAIM: Final = Claim()
