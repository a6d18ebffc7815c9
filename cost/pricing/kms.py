"""KMS customer managed keys.

Prices (AWS Key Management Service pricing, https://aws.amazon.com/kms/pricing/): $1.00 per
key-month; $0.03 per 10,000 requests. The KMS free tier of requests is not deducted.
"""

from __future__ import annotations

from typing import Any

from cost.context import Context
from cost.plan import known
from cost.registry import Priced, prices


@prices("aws:kms/key:Key")
def key(r: Any, ctx: Context) -> Priced:
    """USD/month of a key and its requests (``usage.kms.requests_per_key_month``)."""
    n = ctx.usage.kms.requests_per_key_month
    note = ("rotation enabled: rotated key versions may add monthly charges after the first "
            "year (KMS pricing): not counted") if known(r, "enableKeyRotation") else ""
    return Priced([ctx.charge("key", "kms/key", r.region, 1, source="plan"),
                   ctx.charge("requests", "kms/requests", r.region, n, source="usage",
                              note="usage.kms.requests_per_key_month")], note=note)
