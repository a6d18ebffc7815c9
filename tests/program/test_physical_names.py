"""Physical names derived from the stack name are valid in AWS, or the program stops before it
declares anything, naming the stack, the resource and the rule.

The catalogue the program checks (``components.naming.physical_names``) is compared with the
names in recorded plans of every strategy and mode, so a new name cannot skip the check.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.naming import Naming, check_physical_names, physical_names
from components.settings import ConfigError, DrSettings, settings_from_raw
from engine.paths import ROOT
from engine.plan import PlanConfigError, record_plan
from policies.rules.naming import NAMED_INPUTS
from tests.program.variants import (
    BASE,
    EU,
    MODES,
    STANDBY_US_EAST_1,
    STRATEGIES,
    P,
    overrides,
    plan,
)

ACCOUNT = "123456789012"
LONG_STACK = "payments-platform-eu-west-canary"   # 32 characters


def settings_of(strategy: str = "read-replica", mode: str = "orchestrated", **top: Any) -> DrSettings:
    cfg = {**BASE, **overrides(strategy, mode, **top)}
    return settings_from_raw({k[len(P) + 1:]: v for k, v in cfg.items() if k.startswith(f"{P}:")})


def errors(stack: str, s: DrSettings | None = None) -> list[str]:
    with pytest.raises(ConfigError) as e:
        check_physical_names(s or settings_of(), Naming(stack, ACCOUNT))
    return e.value.errors


def test_prod_names_are_valid() -> None:
    for strategy in STRATEGIES:
        for mode in MODES:
            check_physical_names(settings_of(strategy, mode), Naming("prod", ACCOUNT))


def test_uppercase_stack_name_gives_an_invalid_bucket() -> None:
    assert errors("Prod-Blue") == [
        "stack 'Prod-Blue': the recovery-point metadata bucket name "
        "'ecommerce-dr-Prod-Blue-rp-123456789012-us-west-2' has characters S3 bucket names do "
        "not allow: 'B', 'P'; S3 bucket names: 3-63 characters: lowercase letters, digits, dots "
        "and hyphens; starting and ending with a lowercase letter or digit (Amazon S3 User "
        'Guide, "General purpose bucket naming rules" '
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)); a "
        "stack name of at most 24 lowercase letters, digits and hyphens fits every name"]


def test_long_stack_name_gives_a_71_character_bucket_and_68_character_rules() -> None:
    found = errors(LONG_STACK)
    summary = [e.split("; ")[0] for e in found]
    prefix = f"stack '{LONG_STACK}': the "
    assert summary == [
        f"{prefix}health-alarm forwarding rule name 'ecommerce-dr-{LONG_STACK}-health-alarm-"
        "forwarder' is 68 characters, over the limit of 64",
        f"{prefix}recovery-point metadata bucket name 'ecommerce-dr-{LONG_STACK}-rp-"
        "123456789012-us-west-2' is 71 characters, over the limit of 63",
        f"{prefix}forwarded health-alarm rule name 'ecommerce-dr-{LONG_STACK}-forwarded-health-"
        "alarm' is 68 characters, over the limit of 64",
        # The provider adds 27 characters to a health check's reference name (CallerReference
        # is at most 64): a name cut at 64 would still fail at apply time.
        f"{prefix}primary health check reference name '{LONG_STACK}-primary' is 40 characters, "
        "over the limit of 38"]
    assert "EventBridge rule names: 1-64 characters" in found[0]
    assert '"PutRule", Name (https://docs.aws.amazon.com/eventbridge/' in found[0]


def test_the_dms_reverse_task_identifier_is_checked_in_reverse_replicating() -> None:
    stack = "checkout-canar"   # ecommerce-dr-checkout-canar-rcdc is 32 characters
    check_physical_names(settings_of("dms"), Naming(stack, ACCOUNT))
    assert [e.split("; ")[0] for e in errors(stack, settings_of("dms", **REVERSE))] == [
        f"stack '{stack}': the reverse DMS task resource identifier name "
        f"'ecommerce-dr-{stack}-rcdc' is 32 characters, over the limit of 31"]


def test_dms_resource_identifier_limit_applies_only_to_dms() -> None:
    stack = "checkout-canary"   # ecommerce-dr-checkout-canary-cdc is 32 characters
    check_physical_names(settings_of("read-replica"), Naming(stack, ACCOUNT))
    assert [e.split("; ")[0] for e in errors(stack, settings_of("dms"))] == [
        f"stack '{stack}': the DMS task resource identifier name 'ecommerce-dr-{stack}-cdc' is "
        "32 characters, over the limit of 31"]


@pytest.mark.parametrize(("stack", "what"), [
    ("prod.blue", "alert topic"),          # SNS, Lambda, KMS alias and dashboards: no dots
    ("prod_blue", "recovery-point metadata bucket"),
])
def test_stack_name_characters_other_services_refuse(stack: str, what: str) -> None:
    assert any(e.startswith(f"stack '{stack}': the {what} name ") for e in errors(stack))


def test_program_stops_before_declaring_any_resource() -> None:
    with pytest.raises(PlanConfigError) as e:
        record_plan("Prod-Blue", stack_file=ROOT / "Pulumi.prod.yaml", preview=True)
    assert e.value.resources_declared == 0
    assert "stack 'Prod-Blue': the recovery-point metadata bucket name" in str(e.value)


def test_preview_exits_2_on_an_invalid_derived_name() -> None:
    import io

    from rich.console import Console

    from preview.run import run

    out = io.StringIO()
    result = run("Prod-Blue", stack_file=ROOT / "Pulumi.prod.yaml",
                 console=Console(file=out, width=300))
    assert result.exit_code == 2
    assert "S3 bucket names: 3-63 characters" in out.getvalue()


#: Phase reverse-replicating declares the reverse replica (dms: its reverse pipeline).
REVERSE = {"failover": dict(BASE[f"{P}:failover"], phase="reverse-replicating")}
VARIANTS = [*[(s, m, {}) for s in STRATEGIES for m in MODES],
            ("read-replica", "orchestrated", EU),
            ("read-replica", "orchestrated", STANDBY_US_EAST_1),
            ("read-replica", "orchestrated", REVERSE),
            ("dms", "orchestrated", REVERSE)]


@pytest.mark.parametrize(("strategy", "mode", "top"), VARIANTS,
                         ids=[f"{s}-{m}-{'+'.join(t) or 'prod'}" for s, m, t in VARIANTS])
def test_the_checked_names_are_exactly_the_planned_names(strategy: str, mode: str,
                                                         top: dict[str, Any]) -> None:
    p = plan(strategy, mode, **top)
    planned = sorted(
        str(r.inputs[prop]) for r in p.custom_resources
        for prop, _ in NAMED_INPUTS.get(r.type, ()) if r.inputs.get(prop))
    checked = sorted(n.value for n in physical_names(settings_of(strategy, mode, **top),
                                                     Naming("prod", ACCOUNT)))
    # A name given in each Region (the alert topics and their key aliases) is one name here.
    assert sorted(set(planned)) == sorted(set(checked)), json.dumps(
        {"planned only": sorted(set(planned) - set(checked)),
         "checked only": sorted(set(checked) - set(planned))}, indent=1)


def test_every_named_input_of_the_plan_is_in_the_policy_table() -> None:
    # Inputs that hold physical names in pulumi-aws; the pack's table must cover each one the
    # program sets (a Route 53 record's "name" is the DNS name, not a physical name).
    name_inputs = {"name", "bucket", "identifier", "dashboardName", "replicationInstanceId",
                   "endpointId", "replicationTaskId", "resourceIdentifier", "setIdentifier",
                   "referenceName", "finalSnapshotIdentifier", "clusterIdentifier",
                   "globalClusterIdentifier"}
    for strategy in STRATEGIES:
        for r in plan(strategy, "automatic").custom_resources:
            covered = {prop for prop, _ in NAMED_INPUTS.get(r.type, ())}
            # An input that refers to another resource (a companion's bucket) names nothing.
            given = {k for k in name_inputs if r.inputs.get(k) and not r.property_dependencies.get(k)}
            given -= {"name"} if r.type.startswith("aws:route53/record") else set()
            assert given <= covered, f"{r.urn}: {sorted(given - covered)} not in NAMED_INPUTS"
