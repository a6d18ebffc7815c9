"""S3: the recovery-point metadata bucket, which holds one run record per backup run.

Prices (Amazon S3 pricing, https://aws.amazon.com/s3/pricing/): Standard storage $0.023 per
GB-month, PUT $0.005 per 1,000 requests.
"""

from __future__ import annotations

from typing import Any

from contract.names import Role
from cost.context import Context, Unpriceable
from cost.plan import is_unknown, known, role
from cost.registry import Priced, prices
from cost.usage import DAYS_PER_MONTH
from cost.workload import backup_facts

_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def _lifecycle_of(ctx: Context, r: Any) -> Any:
    """The bucket's lifecycle configuration: the one naming the bucket, or during preview
    (when its ``bucket`` input is not known yet) the only unnamed one beside it."""
    configs = ctx.plan.of_type(_LIFECYCLE)
    # A lookup, not a priced value: an unknown ``bucket`` is not an assumption (not known()).
    named = [lc for lc in configs
             if not is_unknown(lc.inputs.get("bucket")) and lc.inputs.get("bucket") == known(r, "bucket")]
    if named:
        return named[0]
    pending = [lc for lc in configs if is_unknown(lc.inputs.get("bucket")) and lc.parent == r.parent]
    return pending[0] if len(pending) == 1 else None


def _expiry_days(lifecycle: Any) -> float | None:
    """Days after which enabled lifecycle rules expire current objects (the shortest), or None."""
    days = [(rule.get("expiration") or {}).get("days") for rule in known(lifecycle, "rules", [])
            if rule.get("status") == "Enabled"]
    days = [d for d in days if isinstance(d, int | float)]
    return float(min(days)) if days else None


@prices("aws:s3/bucket:Bucket")
def bucket(r: Any, ctx: Context) -> Priced:
    """USD/month of the run-record bucket: one PUT per backup run and the records held until
    the lifecycle rule expires them (runs a month x expiry / 30.4 days x record size)."""
    facts = backup_facts(ctx) if role(r) == Role.METADATA_BUCKET else None
    if facts is None:
        raise Unpriceable("not the run-record bucket of a backup orchestrator: its usage is unknown")
    kib = ctx.usage.s3.run_record_kib
    lifecycle = _lifecycle_of(ctx, r)
    expiry = _expiry_days(lifecycle) if lifecycle is not None else None
    if expiry is None:
        raise Unpriceable("no lifecycle expiry found: the run records' storage grows without bound")
    records = facts.runs_per_month * expiry / DAYS_PER_MONTH
    return Priced([
        ctx.charge("PUT requests (run records)", "s3/put-requests", r.region,
                   facts.runs_per_month, source="plan", note="one record per backup run"),
        ctx.charge("Standard storage (run records)", "s3/standard-storage", r.region,
                   records * kib / 1024**2, source="usage",
                   note=f"{records:,.0f} records held ({expiry:g} days) x {kib:g} KiB "
                        "(usage.s3.run_record_kib); keys are never overwritten, so no "
                        "noncurrent versions")])
