"""Route 53: health checks and hosted zones (queries are a run-time line, :mod:`cost.derived`).

Prices: Amazon Route 53 pricing (https://aws.amazon.com/route53/pricing/): a basic health
check of an AWS endpoint $0.50/month, of another endpoint $0.75; each optional feature (HTTPS,
string matching, fast 10 s interval, latency measurement) $1.00 / $2.00 a month; a hosted
zone $0.50/month. CLOUDWATCH_METRIC and CALCULATED checks have no explicit price on that page:
they are estimates at the basic AWS-endpoint price (``route53/health-check/*`` in the table).
"""

from __future__ import annotations

from typing import Any

from cost.context import Context, Unpriceable
from cost.plan import known
from cost.registry import NoCharge, Priced, prices
from cost.result import Charge

_FREE = "route53/free-aws-endpoint-health-checks"
_NO_ENDPOINT = {"CLOUDWATCH_METRIC": "cloudwatch-metric", "CALCULATED": "calculated"}


def _options(r: Any, check_type: str) -> list[str]:
    """The optional features a health check uses, each billed per month."""
    opts = []
    if check_type.startswith("HTTPS"):
        opts.append("HTTPS")
    if check_type.endswith("STR_MATCH"):
        opts.append("string matching")
    if known(r, "requestInterval", 30) == 10:
        opts.append("fast interval (10 s)")
    if known(r, "measureLatency", False):
        opts.append("latency measurement")
    return opts


@prices("aws:route53/healthCheck:HealthCheck")
def health_check(r: Any, ctx: Context) -> Priced:
    """USD/month of one health check: the basic check plus each optional feature.

    An endpoint is priced as an AWS endpoint unless ``usage.route53.endpoints_in_aws`` is
    false or it is listed in ``usage.route53.non_aws_endpoints``. The account's 50 free
    AWS-endpoint checks are deducted only as far as ``usage.free_tier`` allows (default none).
    """
    check_type = known(r, "type")
    if not isinstance(check_type, str):
        raise Unpriceable("health check type unknown")
    if check_type in _NO_ENDPOINT:
        kind = _NO_ENDPOINT[check_type]
        return Priced([ctx.charge(f"{check_type} health check", f"route53/health-check/{kind}",
                                  None, 1, source="plan",
                                  note="no explicit AWS price: estimated as a basic AWS-endpoint check")])
    if check_type == "RECOVERY_CONTROL":
        raise Unpriceable("RECOVERY_CONTROL health checks are not priced")
    u = ctx.usage.route53
    endpoint = known(r, "fqdn") or known(r, "ipAddress") or "?"
    in_aws = u.endpoints_in_aws and endpoint not in u.non_aws_endpoints
    kind = "aws-endpoint" if in_aws else "non-aws-endpoint"
    free = ctx.take_free(_FREE, 1) if in_aws else 0.0
    where = (f"{endpoint} taken as {'an AWS' if in_aws else 'a non-AWS'} endpoint "
             "(usage.route53.endpoints_in_aws / non_aws_endpoints)")
    free_note = (f"; {free:g} of the account's free AWS-endpoint checks used (usage.free_tier)"
                 if free else "; the account's 50 free AWS-endpoint checks taken as used elsewhere")
    charges: list[Charge] = [ctx.charge(f"basic {check_type} health check", f"route53/health-check/{kind}",
                                        None, 1 - free, source="usage", note=where + free_note)]
    opts = _options(r, check_type)
    if opts:
        charges.append(ctx.charge(f"optional features: {', '.join(opts)}",
                                  f"route53/health-check-option/{kind}", None, len(opts),
                                  source="usage", note=f"{len(opts)} options x 1 month; {where}"))
    return Priced(charges)


@prices("aws:route53/zone:Zone")
def hosted_zone(r: Any, ctx: Context) -> Priced:
    """USD/month of a hosted zone (its queries are priced on the records' query line)."""
    return Priced([ctx.charge("hosted zone", "route53/hosted-zone", None, 1, source="plan")])


@prices("aws:route53/record:Record")
def record(r: Any, ctx: Context) -> NoCharge:
    """Records are free; a non-alias record's queries are a run-time line per record name."""
    if known(r, "aliases"):
        return NoCharge("records are free; alias queries to AWS resources are free")
    return NoCharge(f"records are free; queries for {known(r, 'name', r.name)} are priced on "
                    "its 'DNS queries' line")
