"""The pack's own virtualenv (``policies/requirements.txt``, which the Pulumi CLI installs into
``policies/venv``) holds every third-party distribution the pack imports: the pack is imported
in a fresh interpreter and each third-party distribution that the repository's modules it
loaded import must be pinned there or be a dependency of one that is."""

from __future__ import annotations

import importlib.metadata as md
import json
import re
import subprocess
import sys
from pathlib import Path

from engine.paths import ROOT

_PROBE = """
import ast, importlib.metadata as md, json, sys
from pathlib import Path
import pulumi_policy
from policies.rules import all_policies  # what the entry point (policies/__main__.py) builds
all_policies()
root = Path.cwd().resolve()
tops = set()
for mod in list(sys.modules.values()):
    f = Path(getattr(mod, "__file__", None) or "/").resolve()
    if f.suffix != ".py" or not f.is_relative_to(root) or ".venv" in f.parts:
        continue
    for node in ast.walk(ast.parse(f.read_text())):
        if isinstance(node, ast.Import):
            tops |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            tops.add(node.module.split(".")[0])
dists = md.packages_distributions()
print(json.dumps(sorted({d for t in tops for d in dists.get(t, [])})))
"""


def _pinned(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==", line.strip())
        if m:
            names.add(_norm(m[1]))
    return names


def _norm(name: str) -> str:
    return name.lower().replace("_", "-")


def _closure(names: set[str]) -> set[str]:
    """``names`` and everything they require, as installed here."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        todo += [_norm(re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0]) for r in requires
                 if "extra ==" not in r]
    return seen


def test_every_distribution_the_pack_imports_is_in_its_requirements() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=60)
    used = {_norm(d) for d in json.loads(out.stdout.splitlines()[-1])}
    ours = {"ecommerce-dr"}   # the repository itself, installed by the file's "-e .."
    missing = sorted(used - ours - _closure(_pinned(ROOT / "policies" / "requirements.txt"))
                     - {"setuptools"})   # the editable install's finder, not imported by us
    assert missing == [], f"policies/requirements.txt lacks {missing}"


def test_the_ci_workflow_installs_the_pack_requirements_from_the_pack_folder() -> None:
    """``policies/requirements.txt`` ends in ``-e ..``, which pip resolves from the current
    directory: every install of it in the workflow runs in ``policies/`` (as the Pulumi CLI
    does), never from the repository root."""
    workflow = (ROOT / ".github" / "workflows" / "pulumi.yml").read_text()
    assert (ROOT / "policies" / "requirements.txt").read_text().rstrip().endswith("-e ..")
    installs = [line.strip() for line in workflow.splitlines()
                if "pip install" in line and "requirements" in line and "make" not in line]
    assert installs == ["cd policies && venv/bin/pip install --quiet -r requirements.txt"] * 2
    assert "-r policies/requirements.txt" not in workflow
