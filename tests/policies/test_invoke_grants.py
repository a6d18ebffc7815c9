"""``failover-role-invokes-named-functions`` on the program's own recorded plans, over the
analyzer gRPC protocol: the plans pass; a plan whose warm-function grant reaches more than
named functions fails with the rule's message."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.pack import PackProcess, Resource, resources_from_plan
from engine.plan import UNKNOWN
from tests.program import variants

RULE = "failover-role-invokes-named-functions"
ACCOUNT = "123456789012"
WARM = ["catalog-warm", f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:search-warm:live"]
GRANTED = [f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:catalog-warm", WARM[1]]

#: The module's tests run on one xdist worker, so its module-scoped fixtures are built once.
pytestmark = pytest.mark.xdist_group("tests/policies/test_invoke_grants.py")


@pytest.fixture(scope="module")
def pack() -> Iterator[PackProcess]:
    with PackProcess() as p:
        yield p


def warm_plan(preview: bool = False) -> list[Resource]:
    failover = dict(variants.BASE["ecommerce-dr:failover"], warmFunctions=WARM)
    return resources_from_plan(variants.plan(failover=failover, preview=preview))


def findings(pack: PackProcess, rs: list[Resource]) -> tuple[list[str], list[str]]:
    """The rule's violation messages and not-applicable reasons."""
    report = pack.evaluate(rs)
    return ([v.message.split("\n", 1)[-1] for v in report.violations if v.policy == RULE],
            [n.reason for n in report.not_applicable if n.policy == RULE])


def _warm_statement(rs: list[Resource], edit: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``edit`` to the failover role's WarmFunctions statement."""
    for r in rs:
        doc = json.loads(r.inputs["policy"]) if r.type == variants.ROLE_POLICY else {}
        for st in doc.get("Statement", []):
            if st.get("Sid") == "WarmFunctions":
                edit(st)
                r.inputs = {**copy.deepcopy(dict(r.inputs)), "policy": json.dumps(doc)}
                return
    raise AssertionError("no WarmFunctions statement in the plan")


def test_the_warm_grant_names_each_function(pack: PackProcess) -> None:
    rs = warm_plan()
    found: list[Any] = []
    _warm_statement(rs, lambda st: found.append((st["Action"], st["Resource"])))
    assert found == [(["lambda:InvokeFunction"], GRANTED)]
    assert findings(pack, rs) == ([], [])


def test_the_prod_plan_and_its_preview_pass(pack: PackProcess) -> None:
    assert findings(pack, resources_from_plan(variants.plan())) == ([], [])
    assert findings(pack, warm_plan(preview=True)) == ([], [])


def test_a_role_policy_unknown_during_preview_is_not_applicable_not_a_pass(
        pack: PackProcess) -> None:
    rs = warm_plan()
    for r in rs:
        if r.type == variants.ROLE_POLICY and "WarmFunctions" in str(r.inputs.get("policy")):
            r.inputs = {**dict(r.inputs), "policy": UNKNOWN}
    assert findings(pack, rs) == (
        [], ["the failover orchestrator's role policies can't be known during preview"])


def _say(what: str) -> str:
    return (f"the failover orchestrator's role grants lambda:InvokeFunction on {what}: it may "
            "invoke only the functions failover.warmFunctions names, each by its ARN (no * or ?).")


WILD_ARN = f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:*"


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda st: st.update(Resource=["*"]), [_say("'*'")]),
    (lambda st: st.update(Resource=[GRANTED[0], WILD_ARN]), [_say(repr(WILD_ARN))]),
    (lambda st: st.update(Resource="arn:aws:lambda:*:*:function:*"),
     [_say("'arn:aws:lambda:*:*:function:*'")]),
    (lambda st: st.update(Resource=[GRANTED[0].replace("catalog", "catalo?")]),
     [_say(repr(GRANTED[0].replace("catalog", "catalo?")))]),
    (lambda st: (st.pop("Resource"), st.update(NotResource=[GRANTED[0]])),
     [_say(f"every resource but {[GRANTED[0]]} (NotResource)")]),
    (lambda st: st.update(Action="Lambda:Invoke*", Resource=["*"]), [_say("'*'")]),
], ids=["star", "function-star", "any-region-and-account", "question-mark", "not-resource",
        "action-pattern"])
def test_a_grant_beyond_named_functions_fails(pack: PackProcess,
                                              edit: Callable[[dict[str, Any]], None],
                                              expected: list[str]) -> None:
    rs = warm_plan()
    _warm_statement(rs, edit)
    assert findings(pack, rs)[0] == expected
