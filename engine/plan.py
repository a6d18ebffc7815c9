"""The plan recorder: run the Pulumi program under mocks and record every resource it declares.

No Pulumi CLI, no provider plugin, no AWS account. :func:`record_plan` runs ``__main__.py`` in a
fresh Python subprocess (:mod:`engine.recorder`; mocks and config are process-global in the
Pulumi SDK) with:

* the stack config of ``Pulumi.<stack>.yaml`` (fully qualified keys, delivered as the CLI's
  language host delivers them: strings, objects as JSON), optionally overridden key by key
  (:mod:`engine.config`);
* ``pulumi.runtime.set_mocks(..., project="ecommerce-dr", stack=<stack>, preview=<preview>)``;
* a recording monitor (:mod:`engine.mocks`) that keeps every raw ``RegisterResource``
  request: type, name, parent, provider, dependencies, property dependencies and the
  property Struct as it goes over the wire (camelCase names, unknowns as :data:`UNKNOWN`);
* mocks whose ``new_resource`` answers with outputs shaped like AWS's, so stack outputs
  resolve when ``preview=False``.

:func:`record_plans` records several variants in one subprocess (Pulumi imported once, a fork
per variant), for tests and benchmarks that need many.

The result is a :class:`Plan`: JSON-serialisable, read by the preview (policy checks over the
analyzer protocol), the drill (which deploys it into the emulator) and the program's tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine import warm
from engine.config import StackConfigError, stack_config
from engine.mocks import UNKNOWN
from engine.paths import PROGRAM, ROOT

__all__ = ["UNKNOWN", "Plan", "PlanConfigError", "PlanError", "PlanRequest", "PlannedResource",
           "record_plan", "record_plans", "summary"]

PROVIDER_PREFIX = "pulumi:providers:"


class PlanConfigError(Exception):
    """The stack config is invalid; the message is the program's ``ConfigError`` text
    (fully qualified key and what is allowed). ``resources_declared`` counts the resources the
    program registered before stopping (0 when validation runs first, as it must)."""

    def __init__(self, message: str, resources_declared: int = 0) -> None:
        super().__init__(message)
        self.resources_declared = resources_declared


class PlanError(RuntimeError):
    """The program failed under mocks for a reason other than its config."""


@dataclass
class PlannedResource:
    """One ``RegisterResource`` request.

    Attributes:
        urn: the resource URN.
        type: Pulumi type token, e.g. ``aws:route53/healthCheck:HealthCheck``.
        name: logical name.
        custom: True for provider-managed resources, False for components.
        parent: parent URN (``None`` only for the stack itself, which is not recorded).
        provider: explicit provider URN without ``::<id>``; ``None`` means the default provider
            (for a custom resource) or none given (for a component).
        region: the provider's ``region`` input (for a provider resource: its own).
        inputs: the property Struct as plain JSON, camelCase as on the wire; unknown values are
            the :data:`UNKNOWN` sentinel string, resource references are replaced by their id
            (custom) or URN (component), secrets are unwrapped.
        dependencies: URNs this resource depends on.
        property_dependencies: input name -> URNs it depends on.
        options: the resource options that decide what a deploy may do to it
            (:func:`engine.mocks.resource_options`): ``protect``, ``retainOnDelete``,
            ``ignoreChanges`` (camelCase property paths), ``replaceOnChanges``,
            ``deleteBeforeReplace``; absent when not given.
    """

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    region: str | None
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def tags(self) -> dict[str, Any]:
        tags = self.inputs.get("tags")
        return tags if isinstance(tags, dict) else {}

    @property
    def role(self) -> str | None:
        """The ``contract.names.ROLE_TAG`` tag value, or None."""
        from contract.names import ROLE_TAG

        return self.tags.get(ROLE_TAG)


@dataclass
class Plan:
    """Everything the program declared for one stack, and its stack outputs.

    Attributes:
        stack: stack name.
        resources: in registration order (providers and components included).
        outputs: stack outputs; values not known (preview) are the :data:`UNKNOWN` sentinel,
            also inside nested values.
        preview: whether it was recorded as a preview (unknown outputs) or an update.
    """

    stack: str
    resources: list[PlannedResource]
    outputs: dict[str, Any]
    preview: bool = True

    def to_json(self) -> str:
        """The plan as JSON (``python -m cli plan --json``; read back by :meth:`from_json`)."""
        return json.dumps(asdict(self), indent=1, sort_keys=False)

    @classmethod
    def from_json(cls, s: str) -> Plan:
        """A plan from :meth:`to_json` output. Raises KeyError/ValueError on other JSON."""
        d = json.loads(s)
        return cls(stack=d["stack"], outputs=d["outputs"], preview=d.get("preview", True),
                   resources=[PlannedResource(**r) for r in d["resources"]])

    def by_role(self, role: str) -> list[PlannedResource]:
        """Resources whose ``tags[contract.names.ROLE_TAG]`` equals ``role``."""
        return [r for r in self.resources if r.role == str(role)]

    def by_type(self, type_: str) -> list[PlannedResource]:
        """Resources whose type token is ``type_``."""
        return [r for r in self.resources if r.type == type_]

    def get(self, urn: str) -> PlannedResource:
        """The resource with this URN. Raises KeyError."""
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def find(self, *, type_: str | None = None, name: str | None = None) -> PlannedResource:
        """The single resource with this type and/or logical name. Raises LookupError."""
        hits = [r for r in self.resources
                if (type_ is None or r.type == type_) and (name is None or r.name == name)]
        if len(hits) != 1:
            raise LookupError(f"expected one resource type={type_} name={name}, found {len(hits)}")
        return hits[0]

    @property
    def providers(self) -> list[PlannedResource]:
        return [r for r in self.resources if r.type.startswith(PROVIDER_PREFIX)]

    @property
    def custom_resources(self) -> list[PlannedResource]:
        """Provider-managed resources, providers themselves excluded."""
        return [r for r in self.resources if r.custom and not r.type.startswith(PROVIDER_PREFIX)]


@dataclass
class PlanRequest:
    """One variant to record (see :func:`record_plan` for the fields)."""

    stack: str = "prod"
    stack_file: Path | None = None
    config_overrides: dict[str, object] | None = None
    preview: bool = True


def record_plan(stack: str = "prod", *, stack_file: Path | None = None,
                config_overrides: dict[str, object] | None = None, preview: bool = True,
                program: Path | None = None, timeout: float = 120.0) -> Plan:
    """Run the program under mocks in a fresh subprocess and return what it declared.

    Args:
        stack: stack name; config comes from ``Pulumi.<stack>.yaml`` unless ``stack_file``.
        stack_file: another stack config file.
        config_overrides: fully qualified key -> value (objects as dicts), merged over the file;
            ``None`` removes a key.
        preview: True for ``pulumi preview`` semantics (outputs of resources unknown), False
            for ``pulumi up`` semantics (mock outputs resolve).
        program: the program file, default :data:`engine.paths.PROGRAM`.
        timeout: seconds before the child is killed.

    Raises:
        PlanConfigError: the program rejected its config, or the stack file is missing or
            unreadable (the message names the key or the file).
        PlanError: the program failed otherwise (message holds the child's traceback).
    """
    (result,) = record_plans([PlanRequest(stack, stack_file, config_overrides, preview)],
                             program=program, timeout=timeout)
    if isinstance(result, Exception):
        raise result
    return result


def _batch(requests: list[PlanRequest], program: Path, tmp: Path
           ) -> tuple[list[dict[str, Any] | PlanConfigError], list[dict[str, Any]]]:
    """Per request, its child job (config, output path) or the error reading its config."""
    slots: list[dict[str, Any] | PlanConfigError] = []
    for i, r in enumerate(requests):
        try:
            config = stack_config(r.stack, stack_file=r.stack_file,
                                  config_overrides=r.config_overrides)
        except StackConfigError as e:
            slots.append(PlanConfigError(str(e)))
            continue
        slots.append({"stack": r.stack, "config": config, "preview": r.preview,
                      "program": str(program), "out": str(tmp / f"plan-{i}.json")})
    return slots, [s for s in slots if isinstance(s, dict)]


def _result(job: dict[str, Any], failure: Callable[[], str]) -> Plan | PlanConfigError | PlanError:
    out = Path(job["out"])
    if not out.exists():
        return PlanError(f"program failed under mocks ({failure()})")
    result = json.loads(out.read_text())
    if result["status"] == "config-error":
        return PlanConfigError(result["message"], result["resources_declared"])
    if result["status"] != "ok":
        return PlanError(f"program failed under mocks: {result['message']}")
    return Plan.from_json(json.dumps(result["plan"]))


def _one_off(req: Path, timeout: float) -> Callable[[], str]:
    """Record the batch in a fresh interpreter, in a process group of its own with the jobs it
    forks (a timeout kills them all); what it printed, for a job that wrote nothing.

    Raises:
        subprocess.TimeoutExpired: the batch took longer than ``timeout`` seconds.
    """
    # The child is the engine: it must not inherit a caller's Pulumi CLI settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    with subprocess.Popen([sys.executable, "-m", "engine.recorder", str(req)], cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            warm.kill_group(proc.pid)
            proc.communicate()
            raise
        finally:
            warm.kill_group(proc.pid)   # a job it forked and left behind
    return lambda: f"exit {proc.returncode}):\n{stderr[-6000:]}{stdout[-2000:]}"


def _warm(recorder: Any, req: Path, timeout: float) -> Callable[[str], str]:
    """Record the batch on the warm recorder; what a job printed, for a job that wrote nothing
    (or why the recorder ended before it)."""
    try:
        recorder.run(req, timeout)
    except warm.RecorderEnded as e:
        ended = str(e)
        return lambda out: f"{ended} before it recorded this variant"

    def printed(out: str) -> str:
        log = Path(out + ".log")
        return f"its output):\n{log.read_text()[-8000:] if log.exists() else ''}"
    return printed


def record_plans(requests: list[PlanRequest], *, program: Path | None = None,
                 timeout: float = 300.0) -> list[Plan | PlanConfigError | PlanError]:
    """Record several variants in ONE subprocess: Pulumi is imported once, then each variant
    runs in a forked child (mocks and config are process-global), which makes a variant cost
    a fraction of a fresh interpreter. Without ``os.fork`` each runs in its own subprocess.
    Inside :func:`engine.warm.warm_recorder` the batch goes to its warm subprocess instead.

    Returns:
        per request, its :class:`Plan`, or the :class:`PlanConfigError` / :class:`PlanError`
        it raised (returned, not raised, so one bad variant does not hide the others).
    """
    with tempfile.TemporaryDirectory(prefix="plan-") as tmp:
        slots, jobs = _batch(requests, Path(program or PROGRAM), Path(tmp))
        if not jobs:  # every stack file unreadable: nothing to run
            return list(slots)  # type: ignore[arg-type]
        req = Path(tmp) / "requests.json"
        req.write_text(json.dumps(jobs))
        if warm.ACTIVE is not None:
            printed = _warm(warm.ACTIVE, req, timeout)
            return [s if isinstance(s, PlanConfigError)
                    else _result(s, lambda s=s: printed(s["out"])) for s in slots]
        failure = _one_off(req, timeout)
        return [s if isinstance(s, PlanConfigError) else _result(s, failure) for s in slots]


def summary(plan: Plan) -> str:
    """A human-readable summary: resources by Region and type, roles, outputs."""
    lines = [f"stack {plan.stack}: {len(plan.custom_resources)} resources, "
             f"{len(plan.providers)} providers, "
             f"{sum(1 for r in plan.resources if not r.custom)} components "
             f"({'preview' if plan.preview else 'update'} under mocks)"]
    by_region = Counter((r.region or "-", r.type) for r in plan.custom_resources)
    for (region, typ), n in sorted(by_region.items()):
        lines.append(f"  {region:<15} {n:>3} x {typ}")
    roles = Counter(r.role for r in plan.resources if r.role)
    if roles:
        lines.append("roles: " + ", ".join(f"{k}={v}" for k, v in sorted(roles.items())))
    lines.append("outputs:")
    for k, v in plan.outputs.items():
        shown = _UNKNOWN_SHOWN if v == UNKNOWN else json.dumps(_shown(v))
        lines.append(f"  {k} = {shown}")
    return "\n".join(lines)


_UNKNOWN_SHOWN = "(unknown until deployed)"


def _shown(value: Any) -> Any:
    """``value`` with every :data:`UNKNOWN` inside it (a dict of ARNs per Region) shown as
    such, not as the placeholder string Pulumi's mocks carry."""
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    return _UNKNOWN_SHOWN if value == UNKNOWN else value
