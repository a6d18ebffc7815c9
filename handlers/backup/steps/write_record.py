"""Last step of every run, crashed or not: write the run record as JSON to
``s3://METADATA_BUCKET/<metadata_key>`` in the standby Region. A failed write is itself
recorded (``metadata_error``), never raised."""

from __future__ import annotations

import json
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from handlers.backup.context import RunContext
from handlers.backup.naming import stamp


def metadata_key(period: datetime, run_id: str) -> str:
    """S3 key of a run record: ``runs/<YYYYmmddHHMM>/<run id>.json``."""
    return f"runs/{stamp(period)}/{run_id}.json"


def run(ctx: RunContext) -> None:
    rec, region, bucket = ctx.record, ctx.standby_region, ctx.settings.metadata_bucket
    key = metadata_key(ctx.period, rec.run_id)
    rec.finished_at = ctx.now()
    body = json.dumps(rec.to_dict() | {"metadata_key": key}, default=str, indent=1)
    if not ctx.reachable(region):
        rec.metadata_error = f"not written: {region} (bucket {bucket}) unreachable in this run"
        return
    try:
        ctx.clients("s3", region).put_object(Bucket=bucket, Key=key, Body=body.encode(),
                                             ContentType="application/json")
        rec.metadata_key = key
    except (ClientError, BotoCoreError) as e:
        rec.metadata_error = f"{type(e).__name__}: {e}"
