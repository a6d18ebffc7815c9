"""``preview``: an offline ``pulumi preview --policy-pack policies``, with no CLI and no cloud."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli import command
from cli.exit_codes import ExitCode

NAME = "preview"
HELP = "the policy pack over the plan recorded under mocks (make preview)"
DESCRIPTION = """\
Record the program's plan under Pulumi mocks, start the policy pack as the Pulumi CLI does and
drive it over the analyzer gRPC protocol (Configure, Analyze per resource, AnalyzeStack), then
print the resources by Region and type, the RTO/RPO term by term against the targets, the
violations by enforcement level and the modelled monthly DR cost line by line (each line
priced from the price table, estimated from usage defaults, unpriced with the reason, or no
charge). Provider defaults are not filled in (no provider Check step).

examples:
  python -m cli preview --stack prod
  python -m cli plan --stack prod --json > plan.json   # edit it, then
  python -m cli preview --plan-file plan.json
  python -m cli preview --policy-config policy-config.yaml   # {policy: {setting: value}}
  python -m cli preview --cost-overrides my-costs.yaml --json > preview.json"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The command's options."""
    p.add_argument("--stack", default="prod", help="stack name (config Pulumi.<stack>.yaml); default prod")
    p.add_argument("--stack-file", type=Path, help="another stack config file")
    p.add_argument("--plan-file", type=Path,
                   help="preview a recorded plan (python -m cli plan --json) instead")
    p.add_argument("--update", action="store_true",
                   help="record as an update (mock outputs resolve), so rules on computed "
                        "values such as IAM documents are decided too")
    p.add_argument("--policy-config", type=Path,
                   help="YAML/JSON: policy name -> settings (and enforcementLevel)")
    p.add_argument("--cost-overrides", type=Path, metavar="FILE",
                   help="YAML with prices:/allowances:/usage: sections merged over the price "
                        "table and usage defaults (README 'Cost estimate'); the pack's "
                        "dr-monthly-cost-within-budget uses it too")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document (resources, RTO/RPO, violations, cost) "
                        "instead of the tables")


def read_policy_config(path: Path | None) -> dict[str, Any] | None:
    """The policy config file, or None. Raises ValueError when it is not a mapping."""
    if path is None:
        return None
    import yaml

    doc = yaml.safe_load(path.read_text()) or {}
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: must map policy names to settings")
    return doc


def run(a: argparse.Namespace) -> int:
    """Record (or read) the plan, evaluate and print; the exit code."""
    import cost
    from engine.pack import PackError
    from engine.plan import Plan
    from preview.run import run as preview

    try:
        policy_config = read_policy_config(a.policy_config)
        plan = Plan.from_json(a.plan_file.read_text()) if a.plan_file else None
        cost_inputs = cost.load_inputs(a.cost_overrides)
    except (ValueError, KeyError, OSError) as e:   # CostFileError is a ValueError
        print(f"preview cannot run: {e}", file=sys.stderr)
        return ExitCode.CANNOT_RUN
    try:
        return int(preview(a.stack, stack_file=a.stack_file, plan=plan, update=a.update,
                           policy_config=policy_config, cost_inputs=cost_inputs,
                           json_to=sys.stdout if a.json else None).exit_code)
    except PackError as e:
        print(f"preview cannot run: {e}", file=sys.stderr)
        return ExitCode.CANNOT_RUN


def main(argv: list[str] | None = None) -> int:
    """``python -m cli preview ...``; returns the exit code."""
    return command.main(sys.modules[__name__], argv)
