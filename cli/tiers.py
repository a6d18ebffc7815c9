"""``tiers``: the tier advisor - every DR tier for the stack's own config, its RTO, RPO and
monthly cost, the cheapest one that meets the targets, and what a cheaper one would need."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli import command
from cli.exit_codes import ExitCode

NAME = "tiers"
HELP = "compare every DR tier's RTO, RPO and monthly cost for a stack, and recommend one"
DESCRIPTION = """\
For the stack's own config, vary database.strategy across every tier (contract.strategies;
a strategy needing extra config gets the documented placeholder), record each variant under
Pulumi mocks in one batch, run the policy pack on it over gRPC and price it with the cost model.
Print one table - tier, strategy, planned worst-case RTO and RPO, monthly cost, whether it meets
the targets and which term breaks them - with the original design's claim as a labelled row;
recommend the cheapest tier that meets the targets; for each cheaper tier that misses, search
the smallest change of the breaking term's config key (backup.cadenceMinutes,
database.replicationLagAlarmSeconds, dns.ttlSeconds, healthCheck.failureThreshold), record
that variant too, check it with the pack and print the price difference. Write a PNG of cost
against RTO and RPO.

Targets are the pack's, as in preview: the stricter of the stack's rtoMinutes/rpoMinutes and
the pack's settings (--policy-config FILE, a YAML or JSON file such as
{"rto-rpo-objectives": {"rpoMinutes": 120}}, loosens the pack's). Exit 1 when no tier meets
the targets.

examples:
  python -m cli tiers --stack prod
  python -m cli tiers --stack prod --cost-overrides my-costs.yaml --json > tiers.json"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The command's options."""
    p.add_argument("--stack", default="prod", help="stack name (config Pulumi.<stack>.yaml); default prod")
    p.add_argument("--stack-file", type=Path, help="another stack config file")
    p.add_argument("--cost-overrides", type=Path, metavar="FILE",
                   help="YAML with prices:/allowances:/usage: sections merged over the price "
                        "table and usage defaults (README 'Cost estimate')")
    p.add_argument("--policy-config", type=Path,
                   help="YAML/JSON: policy name -> settings, as for preview")
    p.add_argument("--json", action="store_true",
                   help="print the advice as one JSON document instead of the table")
    p.add_argument("--plot", type=Path, metavar="PATH",
                   help="where to write the PNG (default reports/tiers-<stack>.png)")
    p.add_argument("--no-plot", action="store_true", help="write no PNG")


def run(a: argparse.Namespace) -> int:
    """Advise, print, plot; the exit code (1 when no tier meets the targets)."""
    import cost
    from advisor import plot, render
    from advisor.advise import AdvisorConfigError, AdvisorProgramError, advise
    from cli.preview import read_policy_config
    from engine.paths import REPORTS_DIR
    from preview.render import make_console

    try:
        inputs = cost.load_inputs(a.cost_overrides)
        policy_config = read_policy_config(a.policy_config)
        advice = advise(a.stack, stack_file=a.stack_file, policy_config=policy_config,
                        cost_inputs=inputs)
    except (AdvisorConfigError, ValueError, OSError) as e:   # CostFileError is a ValueError
        print(f"tiers cannot run: {e}", file=sys.stderr)
        return ExitCode.CANNOT_RUN
    except AdvisorProgramError as e:
        print(f"tiers: the program failed under mocks: {e}", file=sys.stderr)
        return ExitCode.PROGRAM_FAILED
    if not a.no_plot:
        path = a.plot or REPORTS_DIR / f"tiers-{a.stack}.png"
        try:
            advice.plot = str(plot.write(advice, path))
        except OSError as e:
            print(f"tiers cannot write the plot {path}: {e}", file=sys.stderr)
            return ExitCode.CANNOT_RUN
    if a.json:
        print(json.dumps(advice.to_dict(), indent=1))
    else:
        render.render(advice, make_console())
    return ExitCode.OK if advice.recommended is not None else ExitCode.FAILED


def main(argv: list[str] | None = None) -> int:
    """``python -m cli tiers ...``; returns the exit code."""
    return command.main(sys.modules[__name__], argv)
