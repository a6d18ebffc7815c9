"""The drills the drill tests share: :data:`SHARED` (key -> :class:`Drill`) and
:func:`run_shared`. How a test reads one: ``tests/drill/conftest.py``."""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cli import drill as cli
from drill.options import DrillOptions
from drill.pipeline import run_drill
from drill.report import as_dict
from drill.result import DrillResult
from engine.paths import ROOT


@dataclass(frozen=True)
class Drill:
    """One drill that tests read.

    Attributes:
        stack, scenario, strategy, policy_gate, force: as in :class:`drill.options.DrillOptions`.
        config: edits of the stack file, ``(key, value)`` pairs, a dotted key reaching into an
            object (``("ecommerce-dr:backup.cadenceMinutes", 30)``); the drill runs on the
            edited copy.
        cli: run through ``python -m cli drill`` (exit code and terminal output kept), else
            :func:`drill.pipeline.run_drill` in the test process.
    """

    stack: str = "prod"
    scenario: str = "happy-path"
    strategy: str | None = None
    policy_gate: bool = False
    force: bool = False
    config: tuple[tuple[str, Any], ...] = ()
    cli: bool = False


@dataclass
class DrillRun:
    """What a shared drill left: ``report`` as written to ``drill-report.json``; ``result``
    (None through the CLI); the CLI's ``exit_code`` and terminal ``output``."""

    report: dict[str, Any]
    reports_dir: Path
    data_dir: Path
    result: DrillResult | None = None
    exit_code: int | None = None
    output: str = field(default="", repr=False)


#: Every shared drill, by key (its data directory's name and its xdist group).
SHARED: dict[str, Drill] = {
    "happy": Drill(policy_gate=True),
    "region-down": Drill(scenario="primary-region-down"),
    "crash": Drill(scenario="crash-and-resume"),
    # an RTO target (5 min) shorter than the modelled promotion alone (10 min)
    "tight": Drill(scenario="concurrent-triggers", config=(("ecommerce-dr:rtoMinutes", 5),),
                   cli=True),
    "lag-refused": Drill(scenario="replication-lag"),
    "lag-forced": Drill(scenario="replication-lag", force=True),
    "dms": Drill(scenario="primary-recovers", strategy="dms"),
    # the README's pilot-light recipe: snapshot-restore backing up every 30 min
    "pilot": Drill(strategy="snapshot-restore", config=(("ecommerce-dr:backup.cadenceMinutes", 30),)),
    "full-cycle": Drill(scenario="full-cycle", policy_gate=True),
    "aurora-full-cycle": Drill(stack="aurora", scenario="full-cycle", policy_gate=True),
    "dms-full-cycle": Drill(scenario="full-cycle", strategy="dms", policy_gate=True),
    "aurora-failback": Drill(stack="aurora", scenario="failback"),
}


def bridge(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The report's entry of bridge ``name`` (exactly one)."""
    (b,) = [b for b in report["bridges"] if b["name"] == name]
    return b


def fixture_name(key: str) -> str:
    """The session fixture of shared drill ``key``."""
    return "drill_" + key.replace("-", "_")


def _stack_file(spec: Drill, key: str, tmp: Path) -> Path | None:
    if not spec.config:
        return None
    doc = yaml.safe_load((ROOT / f"Pulumi.{spec.stack}.yaml").read_text())
    for dotted, value in spec.config:
        *path, last = dotted.split(".")
        node = doc["config"]
        for part in path:
            node = node[part]
        node[last] = value
    out = tmp / f"Pulumi.{key}.yaml"
    out.write_text(yaml.safe_dump(doc))
    return out


def _via_cli(spec: Drill, stack_file: Path | None, reports: Path, data: Path) -> DrillRun:
    argv = ["--stack", spec.stack, "--scenario", spec.scenario, "--reports-dir", str(reports),
            "--data-dir", str(data)]
    argv += ["--stack-file", str(stack_file)] if stack_file else []
    argv += ["--strategy", spec.strategy] if spec.strategy else []
    argv += [] if spec.policy_gate else ["--no-policy-gate"]
    argv += ["--force"] if spec.force else []
    out = io.StringIO()
    with contextlib.redirect_stdout(out):   # not a terminal: the CLI's plain output
        rc = cli.main(argv)
    report = json.loads((reports / "drill-report.json").read_text())
    return DrillRun(report, reports, data, exit_code=rc, output=out.getvalue())


def run_shared(spec: Drill, key: str, tmp: Path, data: Path) -> DrillRun:
    """Run ``spec`` with its reports under ``tmp`` and its databases in ``data``."""
    stack_file, reports = _stack_file(spec, key, tmp), tmp / "reports"
    if spec.cli:
        return _via_cli(spec, stack_file, reports, data)
    result = run_drill(DrillOptions(stack=spec.stack, scenario=spec.scenario, strategy=spec.strategy,
                                    stack_file=stack_file, reports_dir=reports,
                                    policy_gate=spec.policy_gate, force=spec.force, progress=False,
                                    data_dir=data))
    return DrillRun(as_dict(result), reports, data, result=result)
