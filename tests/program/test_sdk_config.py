"""The program reads its config through the SDK, whichever channel delivered it.

The CLI's language host delivers config in the ``PULUMI_CONFIG`` environment variable (and
``PULUMI_CONFIG_<KEY>`` per key); Pulumi's own unit-test convention and Automation API inline
programs call ``pulumi.runtime.set_all_config``. The subprocess test follows pulumi/examples
``testing-unit-py``: a mocks class, ``set_mocks``, ``set_all_config``, then the program.
"""

from __future__ import annotations

import contextvars
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from components.settings import ConfigError, DrSettings, load_settings
from engine.paths import ROOT
from tests.program.variants import BASE, P


def as_delivered(cfg: dict[str, Any]) -> dict[str, str]:
    """Fully qualified key -> string, as the SDK hands config over (objects as JSON)."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in cfg.items()}


PROD = as_delivered({k: v for k, v in BASE.items() if k.startswith(f"{P}:")})


@pytest.fixture
def sdk_channels(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Run ``load_settings`` with config set through ``set_all_config`` and/or the
    environment, in a copied context so the SDK's global config does not leak."""
    for k in list(os.environ):
        if k.startswith("PULUMI_CONFIG"):
            monkeypatch.delenv(k)

    def run(explicit: dict[str, str] | None = None, env: dict[str, str] | None = None,
            **env_vars: str) -> DrSettings:
        import pulumi

        if env is not None:
            monkeypatch.setenv("PULUMI_CONFIG", json.dumps(env))
        for k, v in env_vars.items():
            monkeypatch.setenv(k, v)

        def inner() -> DrSettings:
            pulumi.runtime.set_all_config(explicit or {})
            return load_settings()

        return contextvars.copy_context().run(inner)

    yield run


def test_config_set_by_set_all_config_is_read(sdk_channels: Callable[..., Any]) -> None:
    s = sdk_channels(explicit=PROD)
    assert (s.site.failover_fqdn, s.rto_seconds) == ("shop.example.com", 14400)


def test_config_in_pulumi_config_environment_is_read(sdk_channels: Callable[..., Any]) -> None:
    s = sdk_channels(env=PROD)
    assert s.database.primary_identifier == "shop-primary"


def test_explicit_config_wins_over_the_environment_as_in_the_sdk(
        sdk_channels: Callable[..., Any]) -> None:
    s = sdk_channels(explicit={**PROD, f"{P}:rtoMinutes": "30"}, env=PROD)
    assert s.rto_seconds == 1800
    # ...and a per-key PULUMI_CONFIG_<KEY> variable wins over the PULUMI_CONFIG map.
    s = sdk_channels(env=PROD, PULUMI_CONFIG_ECOMMERCE_DR_RTOMINUTES="60")
    assert s.rto_seconds == 3600


def test_a_set_key_is_never_reported_as_required(sdk_channels: Callable[..., Any]) -> None:
    bad = {**PROD, f"{P}:site": json.dumps({**BASE[f"{P}:site"], "failoverFqdn": "not a name"})}
    with pytest.raises(ConfigError) as e:
        sdk_channels(explicit=bad)
    assert e.value.errors == [
        "ecommerce-dr:site.failoverFqdn: must be a fully qualified domain name like "
        "shop.example.com (got 'not a name')"]
    # A key that is really missing still says so.
    missing = {k: v for k, v in PROD.items() if k != f"{P}:site"}
    with pytest.raises(ConfigError) as e:
        sdk_channels(explicit=missing)
    assert e.value.errors == ["ecommerce-dr:site: is required"]


def test_unknown_and_misspelt_keys_are_caught_on_the_explicit_channel(
        sdk_channels: Callable[..., Any]) -> None:
    with pytest.raises(ConfigError) as e:
        sdk_channels(explicit={**PROD, f"{P}:rtoMinute": "30"})
    assert e.value.errors[0].startswith("ecommerce-dr:rtoMinute: unknown key; allowed keys: ")
    with pytest.raises(ConfigError) as e:
        sdk_channels(explicit={**PROD, "ecommerce_dr:rpoMinutes": "30"})
    assert e.value.errors == ["ecommerce_dr:rpoMinutes: unknown namespace 'ecommerce_dr'; did "
                              "you mean ecommerce-dr:rpoMinutes?"]


UNIT_TEST = textwrap.dedent('''
    import json
    import runpy
    import sys

    import pulumi

    class Mocks(pulumi.runtime.Mocks):
        def __init__(self):
            self.resources = []

        def new_resource(self, args):
            self.resources.append((args.typ, args.name, dict(args.inputs)))
            return [f"{args.name}-id", {**args.inputs, "arn": f"arn:mock:{args.name}"}]

        def call(self, args):
            return {}

    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project="ecommerce-dr", stack="unit", preview=False)
    pulumi.runtime.set_all_config(json.loads(sys.argv[1]))
    program = runpy.run_path(sys.argv[2])

    @pulumi.runtime.test
    def check_exports():
        def verify(args):
            fqdn, table = args
            assert fqdn == "shop.example.com", fqdn
            assert table == "ecommerce-dr-unit-failover-state", table
        return pulumi.Output.all(pulumi.Output.from_input(program["outputs"]["failoverFqdn"]),
                                 program["failover"].state_table_name).apply(verify)

    check_exports()
    checks = [i for t, _, i in mocks.resources if t == "aws:route53/healthCheck:HealthCheck"
              and i.get("type") == "HTTPS"]
    print(json.dumps({"resources": len(mocks.resources), "fqdn": checks[0]["fqdn"]}))
''')


def test_pulumi_unit_test_convention_feeds_the_program(tmp_path: Any) -> None:
    script = tmp_path / "unit_test.py"
    script.write_text(UNIT_TEST)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    proc = subprocess.run([sys.executable, str(script), json.dumps(PROD), str(ROOT / "__main__.py")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "is required" not in proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["fqdn"] == "shop-use1.example.com" and result["resources"] > 40
