"""What cannot be priced is listed, never a silent $0; what AWS does not charge for says so."""

import json

from cost import Basis, render_text
from tests.cost.fakes import component, line, res, run


def test_type_without_a_function_is_unpriced_and_makes_the_estimate_incomplete():
    vm = res("aws:ec2/instance:Instance", "bastion", instanceType="t3.micro")
    key = res("aws:kms/key:Key", "key")
    est = run(vm, key)
    ln = line(est, "bastion")
    assert ln.basis is Basis.UNPRICED
    assert ln.monthly_usd is None
    assert ln.reason == "no pricing function for aws:ec2/instance:Instance"
    assert not est.complete and est.unpriced == [ln]
    assert est.total_usd == line(est, "key").monthly_usd         # the unpriced line adds nothing
    d = json.loads(json.dumps(est.to_dict()))
    assert d["complete"] is False and d["unpriced"] == ["bastion"]
    assert "INCOMPLETE: 1 unpriced line(s) not in the total: bastion" in render_text(est)


def test_free_resources_are_no_charge_not_unpriced():
    role_ = res("aws:iam/role:Role", "role")
    alias = res("aws:kms/alias:Alias", "alias")
    est = run(role_, alias)
    assert line(est, "role").basis is Basis.NO_CHARGE
    assert line(est, "role").monthly_usd == 0.0
    assert line(est, "role").reason == "IAM roles are free"
    assert est.complete


def test_a_pending_type_is_unpriced_with_its_reason(monkeypatch):
    from cost import registry

    monkeypatch.setitem(registry.PENDING, "aws:rds/proxy:Proxy", "RDS Proxy is not priced yet")
    ln = line(run(res("aws:rds/proxy:Proxy", "proxy")), "proxy")
    assert ln.basis is Basis.UNPRICED and ln.monthly_usd is None
    assert ln.reason == "RDS Proxy is not priced yet"


def test_providers_and_components_are_listed_as_no_charge():
    comp = component("dns")
    child = res("aws:route53/zone:Zone", "zone", region="us-east-1", parent=comp)
    provider = res("pulumi:providers:aws", "primary", region="us-east-1")
    est = run(provider, comp, child)
    assert line(est, "primary").basis is Basis.NO_CHARGE
    assert line(est, "dns").basis is Basis.NO_CHARGE
    assert line(est, "zone").component == "dns"
    assert est.by_component() == {"stack": 0.0, "dns": 0.5}


def test_unknown_input_at_preview_is_unpriced():
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    est = run(res("aws:rds/instance:Instance", "db", instanceClass=unknown))
    assert line(est, "db").basis is Basis.UNPRICED
    assert "instanceClass unknown" in line(est, "db").reason


def test_an_unknown_input_the_price_depends_on_is_named_and_the_line_estimated():
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    hc = res("aws:route53/healthCheck:HealthCheck", "check", region="us-east-1", type="HTTPS",
             fqdn="shop-use1.example.com", requestInterval=unknown, measureLatency=False)
    est = run(hc, res("aws:kms/key:Key", "key"))
    ln = line(est, "check")
    # priced as the default 30 s interval (no fast-interval option): $0.50 + HTTPS $1.00
    assert ln.monthly_usd == 0.50 + 1.00
    assert ln.unknown_inputs == ["check.requestInterval"]
    assert ln.basis is Basis.ESTIMATED
    assert line(est, "key").unknown_inputs == []
    assert est.unknown_inputs == ["check.requestInterval"]
    assert json.loads(json.dumps(est.to_dict()))["unknown_inputs"] == ["check.requestInterval"]


def test_known_inputs_leave_no_unknown_inputs():
    hc = res("aws:route53/healthCheck:HealthCheck", "check", region="us-east-1", type="HTTPS",
             fqdn="shop-use1.example.com", requestInterval=10)
    assert run(hc).unknown_inputs == []
