"""Route 53 health checks, hosted zones and DNS queries, hand-computed."""

import pytest

from cost import Basis
from tests.cost.fakes import charge_usd, line, res, run

HC = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"


def endpoint_check(name: str = "primary-check", **inputs):
    base = {"type": "HTTPS", "fqdn": "shop-use1.example.com", "port": 443,
            "requestInterval": 10, "measureLatency": True}
    return res(HC, name, region="us-east-1", **{**base, **inputs})


def test_https_fast_interval_latency_check_on_an_aws_endpoint():
    est = run(endpoint_check())
    ln = line(est, "primary-check")
    # basic AWS-endpoint check $0.50 + 3 options (HTTPS, fast interval, latency) x $1.00
    assert ln.monthly_usd == pytest.approx(0.50 + 3 * 1.00)
    assert charge_usd(ln, "basic") == pytest.approx(0.50)
    assert charge_usd(ln, "optional features") == pytest.approx(3.00)
    # "AWS endpoint" is a usage assumption, so the line is estimated, not priced
    assert ln.basis is Basis.ESTIMATED


def test_string_match_check_outside_aws():
    est = run(endpoint_check(type="HTTPS_STR_MATCH", requestInterval=30, measureLatency=False,
                             fqdn="shop.other-cloud.example"),
              override={"usage": {"route53": {"non_aws_endpoints": ["shop.other-cloud.example"]}}})
    # non-AWS basic $0.75 + 2 options (HTTPS, string matching) x $2.00
    assert line(est, "primary-check").monthly_usd == pytest.approx(0.75 + 2 * 2.00)


def test_plain_http_check_has_no_options():
    est = run(endpoint_check(type="HTTP", requestInterval=30, measureLatency=False))
    ln = line(est, "primary-check")
    assert ln.monthly_usd == pytest.approx(0.50)
    assert len(ln.charges) == 1


@pytest.mark.parametrize("check_type", ["CLOUDWATCH_METRIC", "CALCULATED"])
def test_gate_and_calculated_checks_are_estimates_at_the_basic_price(check_type):
    est = run(res(HC, "gate", region="us-east-1", type=check_type))
    ln = line(est, "gate")
    # no explicit AWS price: 1 check x $0.50 (basic AWS-endpoint price), marked as an estimate
    assert ln.monthly_usd == pytest.approx(0.50)
    assert ln.basis is Basis.ESTIMATED
    assert ln.charges[0].standing == "estimate"
    fig = est.figures[ln.charges[0].price_key + "@global"]
    assert "no explicit price" in fig["why"]


def test_free_aws_endpoint_checks_only_as_far_as_usage_allows():
    checks = [endpoint_check("a"), endpoint_check("b")]
    default = run(*checks)
    assert line(default, "a").monthly_usd == pytest.approx(3.50)   # free tier not assumed
    freed = run(*checks, override={"usage": {"free_tier": {"route53_aws_endpoint_health_checks": 1}}})
    # one of the 50 free checks: the first check's basic $0.50 is free, its options are not
    assert line(freed, "a").monthly_usd == pytest.approx(3.00)
    assert line(freed, "b").monthly_usd == pytest.approx(3.50)


def test_hosted_zone():
    est = run(res("aws:route53/zone:Zone", "zone", region="us-east-1", name="example.com"))
    assert line(est, "zone").monthly_usd == pytest.approx(0.50)
    assert line(est, "zone").basis is Basis.PRICED


def test_failover_records_are_free_and_their_queries_one_usage_line():
    primary = res(RECORD, "primary", region="us-east-1", zoneId="Z1", name="shop.example.com",
                  type="CNAME", records=["a.example.com"])
    secondary = res(RECORD, "secondary", region="us-east-1", zoneId="Z1", name="shop.example.com",
                    type="CNAME", records=["b.example.com"])
    est = run(primary, secondary)
    assert line(est, "primary").basis is Basis.NO_CHARGE
    q = line(est, "DNS queries shop.example.com")
    # 1,000,000 queries (usage default) x $0.40 per million, once for the name
    assert q.monthly_usd == pytest.approx(1_000_000 / 1_000_000 * 0.40)
    assert q.urn is None and q.derived_from == [primary.urn, secondary.urn]
    more = run(primary, secondary, override={"usage": {"route53": {"queries_per_month": 25_000_000}}})
    assert line(more, "DNS queries shop.example.com").monthly_usd == pytest.approx(25 * 0.40)


def test_alias_records_have_no_query_line():
    alias = res(RECORD, "alias", region="us-east-1", zoneId="Z1", name="www.example.com",
                type="A", aliases=[{"name": "lb.example.com", "zoneId": "Z2"}])
    est = run(alias)
    assert [ln.resource for ln in est.lines] == ["alias"]
    assert "alias queries" in line(est, "alias").reason
