"""Override files: prices and usage merged over the defaults; invalid files rejected naming
the key."""

import pytest
import yaml

from cost import Basis, CostFileError, load_prices, load_usage
from tests.cost.fakes import line, res, run

TARGET = res("aws:rds/instance:Instance", "target", instanceClass="db.r6g.large", engine="postgres",
             allocatedStorage=100, storageType="gp2")
NEGOTIATED = {"usd": 0.19, "standing": "user", "source": "EDP contract 2027", "recorded": "2026-12-01"}


def test_user_price_replaces_the_region_figure_whole():
    over = {"prices": {"rds/instance/postgres/db.r6g.large": {"regions": {"us-west-2": NEGOTIATED}}}}
    table = load_prices(over)
    fig = table.figure("rds/instance/postgres/db.r6g.large", "us-west-2")[1]
    assert (fig.usd, fig.standing, fig.why) == (0.19, "user", None)   # nothing inherited from the default
    assert table.figure("rds/instance/postgres/db.r6g.large", "us-east-1")[1].usd == 0.225
    ln = line(run(TARGET, override=over), "target")
    hours = ln.charges[0]
    assert hours.monthly_usd == pytest.approx(730 * 0.19)
    assert hours.priced          # plan quantity x the user's own figure
    assert ln.basis is Basis.ESTIMATED   # storage is still an estimated price


def test_new_region_item_from_a_file(tmp_path):
    path = tmp_path / "costs.yaml"
    key = res("aws:kms/key:Key", "k", region="eu-west-1")
    # no eu-west-1 figures by default: unpriced, the message naming the key to add
    assert 'prices.kms/key.regions.eu-west-1' in line(run(key), "k").reason
    fig = {"usd": 1.0, "standing": "published", "source": "https://aws.amazon.com/kms/pricing/",
           "recorded": "2026-12-01"}
    path.write_text(yaml.safe_dump({
        "prices": {"kms/key": {"regions": {"eu-west-1": fig}},
                   "kms/requests": {"regions": {"eu-west-1": {**fig, "usd": 0.03}}}},
        "usage": {"kms": {"requests_per_key_month": 20_000}}}))
    est = run(key, override=path)
    # $1.00 key-month + 20,000 requests (usage from the same file) x $0.03 per 10,000
    assert line(est, "k").monthly_usd == pytest.approx(1.00 + 2 * 0.03)
    assert line(est, "k").basis is Basis.ESTIMATED   # requests come from usage
    assert str(path) in est.prices


def test_usage_override_changes_the_figure():
    u = load_usage({"usage": {"database": {"data_gib": 400}, "lambda": {"watchdog_run_seconds": 3}}})
    assert (u.database.data_gib, u.database.change_gib_per_day) == (400, 2.0)   # others kept
    assert u.lambda_.watchdog_run_seconds == 3
    assert load_usage().database.data_gib == 80


@pytest.mark.parametrize(("override", "key"), [
    ({"usage": {"database": {"dta_gib": 1}}}, "usage.database.dta_gib"),
    ({"usage": {"database": {"data_gib": -5}}}, "usage.database.data_gib"),
    ({"usage": {"free_tier": {"cloudwatch_dashboards": 4}}}, "usage.free_tier.cloudwatch_dashboards"),
    ({"usage": {"snapshots": {"free_backup_gib": {"mars-1": 1}}}}, "usage.snapshots"),
    ({"usage": {"lambdas": {}}}, "usage.lambdas"),
])
def test_invalid_usage_names_the_key(override, key):
    with pytest.raises(CostFileError) as e:
        load_usage(override)
    assert any(line.startswith(key) for line in e.value.errors), e.value.errors


@pytest.mark.parametrize(("override", "key"), [
    ({"prices": {"kms/key": {"regions": {"us-west-2": {"usd": 1.0, "standing": "user",
                                                       "recorded": "2026-12-01"}}}}},
     "prices.kms/key.regions.us-west-2.source"),
    ({"prices": {"kms/key": {"regions": {"us-west-2": {**NEGOTIATED, "usd": "cheap"}}}}},
     "prices.kms/key.regions.us-west-2.usd"),
    ({"prices": {"kms/key": {"regions": {"us-west-2": {**NEGOTIATED, "standing": "published"}}}}},
     "prices.kms/key.regions.us-west-2"),
    ({"prices": {"kms/key": {"regions": {"us-west-2": {**NEGOTIATED, "standing": "estimate"}}}}},
     "prices.kms/key.regions.us-west-2"),
    ({"prices": {"kms/key": {"regions": {"narnia": NEGOTIATED}}}}, "prices.kms/key.regions"),
    ({"prices": {"kms/key": {"per": 1000}}}, "prices.kms/key.per"),
    ({"prices": {"x/new": {"unit": "things", "regions": {"us-west-2": NEGOTIATED}}}},
     "prices.x/new.description"),
    ({"allowances": {"cloudwatch/free-dashboards": {"scope": "instance"}}},
     "allowances.cloudwatch/free-dashboards.scope"),
    ({"price": {}}, "price"),
])
def test_invalid_prices_name_the_key(override, key):
    with pytest.raises(CostFileError) as e:
        load_prices(override)
    assert any(line.startswith(key) for line in e.value.errors), e.value.errors


def test_unreadable_files_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("prices: [unclosed")
    with pytest.raises(CostFileError, match="bad.yaml: not valid YAML"):
        load_prices(bad)
    with pytest.raises(CostFileError, match="missing.yaml: file not found"):
        load_usage(tmp_path / "missing.yaml")


def test_default_table_standing_rules():
    table = load_prices()
    for key, item in table.items.items():
        for region, fig in item.regions.items():
            if fig.standing == "published":
                assert fig.source.startswith(("https://aws.amazon.com/",
                                              "https://pricing.us-east-1.amazonaws.com/")), key
            else:
                assert fig.standing == "estimate" and fig.why, (key, region)
    # what was not found is an estimate, never fact
    for key in ("rds/instance/postgres/db.r6g.large", "rds/instance/postgres/db.t4g.medium",
                "dms/instance/dms.t3.medium", "route53/health-check/cloudwatch-metric",
                "route53/health-check/calculated", "aurora/global-replicated-write-io"):
        assert all(f.standing == "estimate" for f in table.items[key].regions.values()), key
