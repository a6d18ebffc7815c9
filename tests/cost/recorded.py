"""Real plans recorded under mocks, for the cost tests (and the cost rule's pack test). The
only module of tests/cost that imports the plan recorder, so a move of the recorder changes
one import here."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from engine.paths import ROOT
from engine.plan import Plan, PlanRequest, record_plan, record_plans


@lru_cache(maxsize=1)
def prod_plan() -> Plan:
    """The prod stack as ``pulumi up`` would declare it (outputs resolved)."""
    return record_plan("prod", preview=False)


@lru_cache(maxsize=1)
def prod_preview_plan() -> Plan:
    """The prod stack as ``pulumi preview`` declares it (outputs of resources unknown)."""
    return record_plan("prod", preview=True)


def _database_config() -> dict[str, Any]:
    cfg = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]
    return dict(cfg["ecommerce-dr:database"])


@lru_cache(maxsize=1)
def prod_variants() -> dict[str, Plan]:
    """The prod stack with its database strategy set to dms and to snapshot-restore, and as
    ``pulumi preview`` declares it (``"preview"``: outputs of resources unknown)."""
    db = _database_config()
    dms = {**db, "strategy": "dms", "dms": {
        "sourceSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-source"}}
    snap = {**db, "strategy": "snapshot-restore"}
    requests = [PlanRequest("prod", config_overrides={"ecommerce-dr:database": v}, preview=False)
                for v in (dms, snap)] + [PlanRequest("prod", preview=True)]
    plans = record_plans(requests)
    for p in plans:
        if isinstance(p, Exception):
            raise p
    return dict(zip(("dms", "snapshot-restore", "preview"), plans, strict=True))  # type: ignore[arg-type]
