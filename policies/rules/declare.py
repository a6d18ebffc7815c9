"""Declaring a rule: its settings (checked when the pack is built), the decorators that make a
check function the factory of its policy, and the not-applicable outcomes.

A check reads planned inputs through :mod:`policies.rules.common`; an :class:`Unknown` it
raises becomes ``not_applicable`` with the path of the unknown value (see that module's
docstring), so a rule is either decided on known values or says plainly that it could not be.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from policies.rules.common import Unknown

# --- settings ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    """One named policy setting: JSON-schema type, documented default, description."""

    name: str
    type: str
    default: Any
    description: str
    extra: Mapping[str, Any] | None = None

    def schema(self) -> dict[str, Any]:
        s: dict[str, Any] = {"type": self.type, "default": self.default,
                             "description": f"{self.description} Default: {self.default!r}."}
        s.update(self.extra or {})
        return s


def schema(settings: Sequence[Setting]) -> PolicyConfigSchema | None:
    return PolicyConfigSchema({s.name: s.schema() for s in settings}) if settings else None


def config(args: ResourceValidationArgs | StackValidationArgs,
           settings: Sequence[Setting]) -> dict[str, Any]:
    """Policy config with schema defaults filled in (the SDK leaves that to the CLI)."""
    given = dict(args.get_config() or {})
    return {s.name: given.get(s.name, s.default) for s in settings}


def check_settings(name: str, settings: Sequence[Setting], overrides: Mapping[str, Any]) -> None:
    """Fail at pack build time on unknown setting names or wrongly typed defaults.

    Raises:
        ValueError: naming the policy, the setting and what is allowed.
    """
    known = {s.name: s for s in settings}
    for k, v in overrides.items():
        if k not in known:
            raise ValueError(f"policy {name!r}: unknown setting {k!r}; allowed: {', '.join(known)}")
        t = known[k].type
        ok = {"integer": isinstance(v, int) and not isinstance(v, bool),
              "number": isinstance(v, int | float) and not isinstance(v, bool),
              "string": isinstance(v, str), "boolean": isinstance(v, bool),
              "array": isinstance(v, list), "object": isinstance(v, dict)}[t]
        if not ok:
            raise ValueError(f"policy {name!r}: setting {k!r} must be of type {t}, got {v!r}")


def with_defaults(settings: Sequence[Setting], overrides: Mapping[str, Any]) -> list[Setting]:
    return [Setting(s.name, s.type, overrides.get(s.name, s.default), s.description, s.extra)
            for s in settings]


ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation, dict[str, Any]], None]
StackCheck = Callable[[StackValidationArgs, ReportViolation, dict[str, Any]], None]


def resource_policy(*, name: str, description: str, types: Iterable[str],
                    check: ResourceCheck, settings: Sequence[Setting] = (),
                    enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
                    overrides: Mapping[str, Any] | None = None) -> ResourceValidationPolicy:
    """A resource policy for the given types whose unknown inputs become ``not_applicable``.

    Raises:
        ValueError: bad ``overrides`` (see :func:`check_settings`).
    """
    overrides = overrides or {}
    check_settings(name, settings, overrides)
    settings = with_defaults(settings, overrides)
    wanted = frozenset(types)

    @functools.wraps(check)
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in wanted:
            return
        try:
            check(args, report, config(args, settings))
        except Unknown as e:
            args.not_applicable(f"{e.path} can't be known during preview")
        except UnknownValueError as e:
            args.not_applicable(e.message)

    return ResourceValidationPolicy(name=name, description=description, validate=validate,
                                    enforcement_level=enforcement_level,
                                    config_schema=schema(settings))


def stack_policy(*, name: str, description: str, check: StackCheck,
                 settings: Sequence[Setting] = (),
                 enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
                 overrides: Mapping[str, Any] | None = None) -> StackValidationPolicy:
    """A stack policy; checks report per resource and call ``not_applicable`` themselves."""
    overrides = overrides or {}
    check_settings(name, settings, overrides)
    settings = with_defaults(settings, overrides)

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        check(args, report, config(args, settings))

    return StackValidationPolicy(name=name, description=description, validate=validate,
                                 enforcement_level=enforcement_level,
                                 config_schema=schema(settings))


#: What a rule decorator makes of its check: ``factory(**overrides) -> Policy``.
PolicyFactory = Callable[..., Policy]


def _factory(check: Callable[..., None], build: Callable[[Mapping[str, Any]], Policy]) -> PolicyFactory:
    def factory(**overrides: Any) -> Policy:
        return build(overrides)

    return functools.update_wrapper(factory, check, updated=())


def resource_rule(name: str, types: Iterable[str], description: str, *,
                  settings: Sequence[Setting] = (),
                  enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
                  ) -> Callable[[ResourceCheck], PolicyFactory]:
    """Decorator: the check becomes the factory of the resource policy ``name``:
    ``factory(**overrides)`` builds it with :func:`resource_policy` (``ValueError`` on bad
    overrides). The factory keeps the check's name and docstring."""
    kinds = tuple(types)

    def wrap(check: ResourceCheck) -> PolicyFactory:
        return _factory(check, lambda overrides: resource_policy(
            name=name, description=description, types=kinds, check=check, settings=settings,
            enforcement_level=enforcement_level, overrides=overrides))

    return wrap


def stack_rule(name: str, description: str, *, settings: Sequence[Setting] = (),
               enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
               ) -> Callable[[StackCheck], PolicyFactory]:
    """Decorator: the check becomes the factory of the stack policy ``name`` (see
    :func:`resource_rule`; built with :func:`stack_policy`)."""

    def wrap(check: StackCheck) -> PolicyFactory:
        return _factory(check, lambda overrides: stack_policy(
            name=name, description=description, check=check, settings=settings,
            enforcement_level=enforcement_level, overrides=overrides))

    return wrap


def not_applicable(reason: str) -> None:
    """Mark the running stack policy not applicable (StackValidationArgs has no such method)."""
    from pulumi_policy.policy import _NotApplicableError

    raise _NotApplicableError(reason)


def undecided_in_preview(undecided: list[str]) -> None:
    """Mark the running stack policy not applicable when inputs it needed are unknown
    during preview (``undecided``: ``"<urn>: <path>"`` each), naming them; else nothing."""
    if undecided:
        not_applicable("can't be known during preview: " + "; ".join(undecided))


# --- stack helpers -------------------------------------------------------------------------
