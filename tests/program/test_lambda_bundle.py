"""The Lambda code bundle (``handlers/``, ``contract/``, ``rto_rpo/``) imports nothing outside itself, the
standard library and what the python3.12 runtime plus the Powertools layer provide."""

import ast
import sys
from pathlib import Path

from components.common import LAMBDA_BUNDLE_PACKAGES

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = set(LAMBDA_BUNDLE_PACKAGES)
#: boto3/botocore ship in the Lambda runtime; Powertools v3's layer carries pydantic and
#: aws_xray_sdk (Powertools docs, "Lambda Layer" - the layer includes all extra dependencies).
PROVIDED = {"boto3", "botocore", "aws_lambda_powertools", "pydantic", "aws_xray_sdk"}


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_bundle_imports_only_bundled_runtime_or_layer_modules():
    allowed = BUNDLED | PROVIDED | set(sys.stdlib_module_names) | {"__future__"}
    offenders = {}
    for pkg in BUNDLED:
        for path in (ROOT / pkg).rglob("*.py"):
            extra = _top_level_imports(path) - allowed
            if extra:
                offenders[str(path.relative_to(ROOT))] = sorted(extra)
    assert offenders == {}, f"modules the deployed Lambda would not find: {offenders}"


def test_check_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("from components.settings import FAILOVER_STEPS\nimport yaml\n")
    assert _top_level_imports(bad) - (BUNDLED | PROVIDED) == {"components", "yaml"}
