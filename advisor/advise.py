"""The tier advisor's computation: every database strategy for the stack's own config,
recorded under mocks, evaluated by the policy pack and priced; the cheapest tier that meets
the targets; and, for each cheaper tier that misses, the smallest config change that makes it
meet, recorded, evaluated and priced too.

1. One variant per strategy of :data:`contract.strategies.SPECS` (so a strategy added there is
   compared without a change here), each the stack's config with ``database.strategy`` set
   and the placeholder config the strategy needs (:mod:`advisor.variants`).
2. All variants recorded in ONE batch (:func:`engine.plan.record_plans`: Pulumi imported once),
   while the pack process starts; each evaluated over gRPC by that one pack
   (:func:`preview.run.evaluate_with`), with the policy config a preview would use, and priced
   with :func:`cost.estimate`.
3. For each tier cheaper than the recommendation (every tier, when none meets) whose RTO or RPO
   misses: per missed estimate, the knob search of :mod:`advisor.knobs` over the pack's own
   estimate input; the changed variants recorded in one more batch and evaluated by the same
   pack, so a suggestion is confirmed (or not) by the pack, and its price difference is the
   difference of two estimates.

Targets are the pack's: the stricter of the stack's ``rtoMinutes``/``rpoMinutes`` and the
pack's settings (``--policy-config`` sets them), exactly as ``preview`` judges the stack.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import cost
from advisor.knobs import changes_for, knobs_for
from advisor.result import (
    OBJECTIVES_POLICY,
    Advice,
    Outcome,
    Suggestion,
    cheapest_meeting,
    minutes,
)
from advisor.variants import Change, Variant, settings_of, tier, with_changes
from components.settings import ConfigError, DrSettings
from contract.strategies import SPECS
from engine.config import StackConfigError, read_config
from engine.pack import PackProcess
from engine.plan import Plan, PlanConfigError, PlanRequest, record_plans
from preview.run import evaluate_with
from rto_rpo.inputs import estimate

PolicyConfig = Mapping[str, Mapping[str, Any]]


class AdvisorConfigError(Exception):
    """The stack file, its config or an option is invalid; nothing was advised (exit 2)."""


class AdvisorProgramError(Exception):
    """The program failed under mocks for the stack's own config (exit 3)."""


@contextmanager
def _pack_starting() -> Iterator[Callable[[], PackProcess]]:
    """Start the pack in the background (it takes about half a second, during which the
    recorder runs); yields a function that waits for it and returns it."""
    pack, failed = PackProcess(), []

    def start() -> None:
        try:
            pack.start()
        except Exception as e:  # noqa: BLE001 - re-raised in the caller's thread
            failed.append(e)

    starter = threading.Thread(target=start, daemon=True)
    starter.start()

    def ready() -> PackProcess:
        starter.join()
        if failed:
            raise failed[0]
        return pack

    try:
        yield ready
    finally:
        starter.join()
        pack.stop()


class _Run:
    """One advisor run: the stack, its config, the pack and the cost inputs."""

    def __init__(self, stack: str, stack_file: Path | None, config: dict[str, Any],
                 policy_config: PolicyConfig | None, inputs: cost.CostInputs) -> None:
        self.stack, self.stack_file, self.config = stack, stack_file, config
        self.policy_config, self.inputs = policy_config, inputs

    def evaluate(self, variants: list[Variant], pack: Callable[[], PackProcess]) -> list[Outcome]:
        """Validate, record (one batch), evaluate and price each variant, in order."""
        out: list[Outcome | None] = []
        todo: list[tuple[int, Variant]] = []
        for v in variants:
            try:
                settings_of(self.config, v)
            except ConfigError as e:
                out.append(Outcome(v, error=str(e), config_error=True))
                continue
            todo.append((len(out), v))
            out.append(None)
        recorded = record_plans([PlanRequest(self.stack, self.stack_file, v.overrides)
                                 for _, v in todo]) if todo else []
        for (i, v), plan in zip(todo, recorded, strict=True):
            out[i] = self._outcome(v, plan, pack)
        return [o for o in out if o is not None]

    def _outcome(self, v: Variant, plan: Plan | Exception, pack: Callable[[], PackProcess]
                 ) -> Outcome:
        if isinstance(plan, PlanConfigError):
            return Outcome(v, error=str(plan), config_error=True)
        if isinstance(plan, Exception):
            return Outcome(v, error=str(plan))
        r = evaluate_with(pack(), plan, self.policy_config, cost_inputs=self.inputs)
        assert r.report is not None and r.objectives is not None
        levels: dict[str, list[str]] = {"mandatory": [], "advisory": []}
        for viol in r.report.violations:
            group = levels["advisory" if viol.level == "advisory" else "mandatory"]
            if viol.policy not in group:
                group.append(viol.policy)
        f = r.objectives
        return Outcome(v, f.rto, f.rpo, f.targets, r.cost, levels["mandatory"],
                       levels["advisory"], inputs=f.inputs)


def _search(o: Outcome, settings: DrSettings) -> tuple[tuple[Change, ...], str]:
    """Per missed estimate, the knob changes that make it meet; or why there are none."""
    changes: list[Change] = []
    for kind, est in (("RTO", o.rto), ("RPO", o.rpo)):
        if est is None or est.met:
            continue
        found = None if o.inputs is None else changes_for(kind, o.inputs, settings)  # type: ignore[arg-type]
        if found is None:
            return (), _no_knob(o, kind, settings)
        changes += [Change(k.path, int(k.read(settings) or 0), v, k.unit) for k, v in found]
    return tuple(changes), ""


def _no_knob(o: Outcome, kind: str, settings: DrSettings) -> str:
    """Why no single knob meets ``kind``: the estimate with each knob at its lowest."""
    target = (o.rto if kind == "RTO" else o.rpo)
    tried = []
    for knob in knobs_for(kind):  # type: ignore[arg-type]
        current = knob.read(settings)
        if current is None or o.inputs is None:
            continue
        if current <= knob.lowest:
            tried.append(f"{knob.path} is at its lowest, {current} {knob.unit}")
            continue
        changed = knob.apply(o.inputs, settings, knob.lowest)
        found = None if changed is None else estimate(changed)
        est = None if found is None else (found.rto if kind == "RTO" else found.rpo)
        if est is not None:
            tried.append(f"even {knob.path} {knob.lowest} leaves {kind} "
                         f"{minutes(est.total_seconds)}")
    goal = "" if target is None else f" of {minutes(target.target_seconds)}"
    return (f"no single config change meets the {kind} target{goal}"
            + (f": {'; '.join(tried)}" if tried else ""))


def pack_targets(policy_config: PolicyConfig | None) -> tuple[float, float]:
    """The pack's own RTO and RPO targets, seconds: its setting defaults, or the policy
    config's ``rto-rpo-objectives`` ``rtoMinutes``/``rpoMinutes``."""
    from policies.rules.recovery import OBJECTIVE_SETTINGS

    given = dict((policy_config or {}).get(OBJECTIVES_POLICY, {}))
    defaults = {st.name: st.default for st in OBJECTIVE_SETTINGS}
    return (float(given.get("rtoMinutes", defaults["rtoMinutes"])) * 60,
            float(given.get("rpoMinutes", defaults["rpoMinutes"])) * 60)


def _guess(run: _Run, v: Variant, targets: tuple[float, float]) -> Variant | None:
    """The variant a tier's suggestion will most likely need, from the program's own model of
    the config (:func:`components.budgets.planned_inputs`) under the pack's stricter targets;
    None when the tier should meet or no change is found. Recorded with the tiers, so the
    common case needs one batch; the pack's figures decide afterwards."""
    from components.budgets import planned_inputs

    try:
        settings = settings_of(run.config, v)
        inputs = planned_inputs(settings)
    except (ConfigError, ValueError):
        return None
    assert inputs.rto is not None and inputs.rpo is not None
    inputs = replace(inputs,
                     rto=replace(inputs.rto, target_seconds=min(inputs.rto.target_seconds, targets[0])),
                     rpo=replace(inputs.rpo, target_seconds=min(inputs.rpo.target_seconds, targets[1])))
    found = estimate(inputs)
    changes, _ = _search(Outcome(v, found.rto, found.rpo, inputs=inputs), settings)
    return with_changes(run.config, v, changes) if changes else None


def _key(v: Variant) -> tuple[str, tuple[Change, ...]]:
    return v.strategy, v.changes


def _suggestions(run: _Run, tiers: list[Outcome], guessed: dict[tuple[str, tuple[Change, ...]], Outcome],
                 pack: Callable[[], PackProcess]) -> list[Suggestion]:
    """A suggestion per tier cheaper than the recommendation that misses (every tier that
    misses, when none meets); variants not recorded with the tiers are recorded now."""
    rec = cheapest_meeting(tiers)
    cheaper = sorted((o for o in tiers if not o.meets and not o.error and o.monthly_usd is not None
                      and (rec is None or o.monthly_usd < (rec.monthly_usd or 0.0))),
                     key=lambda o: o.monthly_usd or 0.0)
    found: list[Suggestion] = []
    missing: list[Variant] = []
    for o in cheaper:
        changes, reason = _search(o, settings_of(run.config, o.variant))
        if not changes:
            found.append(Suggestion(o, reason=reason or "only other policies break it: "
                                    + ", ".join(o.breaks)))
            continue
        found.append(Suggestion(o, changes))
        variant = with_changes(run.config, o.variant, changes)
        if _key(variant) not in guessed:
            missing.append(variant)
    guessed.update((_key(x.variant), x) for x in run.evaluate(missing, pack))
    for sug in found:
        if sug.changes:
            sug.outcome = guessed[(sug.strategy, sug.changes)]
            if sug.outcome.error:
                # every problem, on one line: "invalid stack config:" alone says nothing
                problems = [p.strip() for p in sug.outcome.error.splitlines() if p.strip()]
                sug.reason = "the changed config fails: " + " ".join(problems)
            elif not sug.outcome.meets:
                sug.reason = "the policy pack still reports: " + "; ".join(sug.outcome.breaks)
    return found


def _read(stack: str, stack_file: Path | None) -> tuple[dict[str, Any], DrSettings]:
    try:
        config = read_config(stack, stack_file=stack_file)
        return config, settings_of(config)
    except (StackConfigError, ConfigError) as e:
        raise AdvisorConfigError(str(e)) from None


def advise(stack: str = "prod", *, stack_file: Path | None = None,
           policy_config: PolicyConfig | None = None,
           cost_inputs: cost.CostInputs | None = None) -> Advice:
    """Compare every tier for the stack's config and say which to run (see the module doc).

    Args:
        stack: stack name (``Pulumi.<stack>.yaml``), unless ``stack_file``.
        stack_file: another stack file.
        policy_config: policy name -> settings, as ``preview --policy-config`` takes them.
        cost_inputs: prices and usage (:func:`cost.load_inputs`); default the repository's.

    Raises:
        AdvisorConfigError: no stack file, invalid stack config (the message names the key),
            or a policy config the pack rejects.
        AdvisorProgramError: the program failed under mocks for the stack's own config.
    """
    from engine.pack import PackError

    config, own = _read(stack, stack_file)
    inputs = cost_inputs or cost.load_inputs()
    run = _Run(stack, stack_file, config, policy_config, inputs)
    tier_variants = [tier(config, str(s)) for s in SPECS]
    targets = pack_targets(policy_config)
    guesses = [g for g in (_guess(run, v, targets) for v in tier_variants) if g is not None]
    try:
        with _pack_starting() as pack:
            outcomes = run.evaluate(tier_variants + guesses, pack)   # one batch
            tiers = outcomes[:len(tier_variants)]
            mine = next(o for o in tiers if o.strategy == own.database.strategy)
            if mine.error:
                raise (AdvisorConfigError if mine.config_error else AdvisorProgramError)(mine.error)
            guessed = {_key(o.variant): o for o in outcomes[len(tier_variants):]}
            suggestions = _suggestions(run, tiers, guessed, pack)
    except PackError as e:
        raise AdvisorConfigError(f"the policy pack refused the run: {e}") from None
    ordered = sorted(tiers, key=lambda o: (o.monthly_usd is None, o.monthly_usd or 0.0))
    return Advice(stack, own.database.strategy, ordered, suggestions, cost_overrides=inputs.where)


__all__ = ["AdvisorConfigError", "AdvisorProgramError", "advise"]
