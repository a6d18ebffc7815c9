"""Hand-built planned resources (the duck type the cost model reads) and small helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from contract.names import ROLE_TAG
from cost import CostEstimate, CostLine, estimate, load_prices, load_usage

STACK = "urn:pulumi:prod::ecommerce-dr"


@dataclass
class Res:
    type: str
    name: str
    inputs: dict[str, Any] = field(default_factory=dict)
    region: str | None = "us-west-2"
    parent: str | None = None
    custom: bool = True

    @property
    def urn(self) -> str:
        return f"{STACK}::{self.type}::{self.name}"


def res(type_: str, logical: str, *, region: str | None = "us-west-2", role: str | None = None,
        parent: Res | None = None, **inputs: Any) -> Res:
    """A planned resource; ``role`` becomes its ``dr:role`` tag."""
    if role is not None:
        inputs["tags"] = {**inputs.get("tags", {}), ROLE_TAG: str(role)}
    return Res(type_, logical, inputs, region, parent.urn if parent else None)


def component(name: str) -> Res:
    return Res(f"ecommerce-dr:test:{name.title()}", name, {}, None, None, custom=False)


def run(*resources: Res, override: dict[str, Any] | None = None) -> CostEstimate:
    """Estimate ``resources`` with the default table and usage, or with ``override``."""
    return estimate(list(resources), prices=load_prices(override), usage=load_usage(override))


def line(est: CostEstimate, name: str) -> CostLine:
    return est.line(resource=name)


def charge_usd(ln: CostLine, what_starts: str) -> float:
    """USD/month of the line's single charge whose ``what`` starts with ``what_starts``."""
    hits = [c for c in ln.charges if c.what.startswith(what_starts)]
    assert len(hits) == 1, [c.what for c in ln.charges]
    return hits[0].monthly_usd


def backup_function(*, cadence: int = 60, retention: int = 24, keep: int = 3,
                    strategy: str = "read-replica", databases: tuple[str, ...] = ("shop-primary",),
                    primary: str = "us-east-1", standby: str = "us-west-2", memory: int = 256,
                    **inputs: Any) -> Res:
    """A backup orchestrator function with the environment variables the cost model reads."""
    protected = [{"primaryArn": f"arn:aws:rds:{primary}:123456789012:db:{d}",
                  "standbyIdentifier": f"{d}-standby"} for d in databases]
    env = {"CADENCE_MINUTES": str(cadence), "RETENTION_HOURS": str(retention),
           "KEEP_NEWEST": str(keep), "PROTECTED_DATABASES": json.dumps(protected),
           "DB_STRATEGY": strategy, "PRIMARY_REGION": primary, "STANDBY_REGION": standby,
           "METADATA_BUCKET": "runs-bucket"}
    return res("aws:lambda/function:Function", "backup-function", region=standby,
               role="backup-orchestrator", memorySize=memory,
               environment={"variables": env}, **inputs)


def schedule(name: str, expression: str, role: str) -> Res:
    return res("aws:cloudwatch/eventRule:EventRule", name, role=role,
               scheduleExpression=expression, name=name)
