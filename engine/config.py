"""Stack config as the Pulumi CLI hands it to a Python program, and the overrides the tools
apply to it (another database strategy, another failover mode).

The CLI's language host delivers every config value as a string, keyed by its fully
qualified name (``ecommerce-dr:rtoMinutes``); objects arrive as JSON text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from components.settings import PROJECT
from contract.strategies import Standby, Strategy, spec
from engine.paths import stack_file as default_stack_file

#: Placeholder config a strategy needs when a tool switches a stack to it (``--strategy``):
#: the DMS source secret is read only by a deployed DMS endpoint, never by the tools; the
#: Aurora engine version only sizes the secondary cluster and picks its lag metric
#: (``contract.aurora.lag_metrics``), so a current Aurora PostgreSQL version stands in.
STRATEGY_PLACEHOLDERS: dict[Strategy, dict[str, Any]] = {
    Strategy.DMS: {"dms": {"sourceSecretArn": "arn:aws:secretsmanager:{primary_region}:"
                                              "123456789012:secret:placeholder-dms-source"}},
    Strategy.AURORA_GLOBAL: {"aurora": {"engine": "aurora-postgresql", "engineVersion": "16.4"}},
}

#: ``database`` keys of the instance strategies -> the ``database.aurora`` key that stands for
#: each under aurora-global (moved across when a tool switches between the two kinds).
_INSTANCE_TO_AURORA = {"instanceClass": "instanceClass",
                       "standbyIdentifier": "secondaryClusterIdentifier",
                       "backupRetentionDays": "backupRetentionDays"}


class StackConfigError(Exception):
    """The stack file is missing or unreadable; the message names the file and the key."""


def config_string(v: Any) -> str:
    """One config value as the language host delivers it (strings as is, objects as JSON)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, int):
        return str(v)
    return json.dumps(v)


def read_config(stack: str = "prod", *, stack_file: Path | None = None) -> dict[str, Any]:
    """The stack file's ``config`` block: fully qualified key -> value (objects as dicts).

    Raises:
        StackConfigError: no such file, or it is not valid YAML / a config block.
    """
    import yaml

    from components.settings import ConfigError, read_stack_file

    path = Path(stack_file or default_stack_file(stack))
    if not path.is_file():
        if stack_file is not None:
            raise StackConfigError(f"no stack file {path} (given with --stack-file)")
        raise StackConfigError(f"no stack file {path}: create Pulumi.{stack}.yaml (keys in "
                               "README.md, 'Config reference') or pass --stack-file")
    try:
        return dict(read_stack_file(path))
    except (ConfigError, yaml.YAMLError) as e:
        raise StackConfigError(str(e)) from None


def stack_config(stack: str = "prod", *, stack_file: Path | None = None,
                 config_overrides: dict[str, object] | None = None) -> dict[str, str]:
    """The stack's config as the language host delivers it: fully qualified key -> string.

    ``config_overrides`` (fully qualified keys) replace the file's value of the same key;
    an override of ``None`` removes the key.

    Raises:
        StackConfigError: see :func:`read_config`.
    """
    cfg = read_config(stack, stack_file=stack_file)
    for k, v in (config_overrides or {}).items():
        if v is None:
            cfg.pop(k, None)
        else:
            cfg[k] = v
    return {k: config_string(v) for k, v in cfg.items()}


def _object(v: Any) -> Any:
    """A config object as a dict (JSON text decoded); another shape as it is, so the
    program's own validation names the key and what it must be."""
    v = json.loads(v) if isinstance(v, str) else v
    return dict(v) if isinstance(v, dict) else ({} if v is None else v)


def strategy_database(config: dict[str, Any], strategy: str) -> Any:
    """The ``database`` object of ``config`` switched to ``strategy``, with the placeholder
    config that strategy needs when the stack does not set it
    (:data:`STRATEGY_PLACEHOLDERS`).

    Args:
        config: a stack's config (fully qualified keys, as :func:`read_config` returns).
        strategy: a :class:`contract.strategies.Strategy` value.

    Returns the ``database`` value unchanged when it is not an object (the program refuses it).

    Raises:
        ValueError: not a strategy, or ``database`` is text that is not JSON.
    """
    db = _object(config.get(f"{PROJECT}:database"))
    if not isinstance(db, dict):
        return db
    db = _to_kind(db, spec(strategy).standby is Standby.CLUSTER)
    db["strategy"] = str(Strategy(strategy))
    primary_region = str(config.get(f"{PROJECT}:primaryRegion", "us-east-1"))
    for key, value in STRATEGY_PLACEHOLDERS.get(Strategy(strategy), {}).items():
        filled = json.loads(json.dumps(value).replace("{primary_region}", primary_region))
        if isinstance(filled, dict) and isinstance(db.get(key), dict):
            db[key] = {**filled, **db[key]}
        elif not db.get(key):
            db[key] = filled
    return db


def _to_kind(db: dict[str, Any], cluster: bool) -> dict[str, Any]:
    """``db`` with the keys of the other kind of primary moved to this kind's: an instance
    primary ``arn:...:db:<id>`` stands for a cluster ``arn:...:cluster:<id>`` and back, and the
    standby's class, identifier and backup retention move between ``database`` and
    ``database.aurora`` (placeholders: a real Aurora stack names its own cluster)."""
    db = dict(db)
    if cluster and "primaryInstanceArn" in db:
        aurora = dict(db.get("aurora") or {})
        db["primaryClusterArn"] = str(db.pop("primaryInstanceArn")).replace(":db:", ":cluster:", 1)
        for key, to in _INSTANCE_TO_AURORA.items():
            if key in db:
                aurora.setdefault(to, db.pop(key))
        db.pop("dms", None)
        db["aurora"] = aurora
    elif not cluster and "primaryClusterArn" in db:
        aurora = dict(db.pop("aurora", None) or {})
        db["primaryInstanceArn"] = str(db.pop("primaryClusterArn")).replace(":cluster:", ":db:", 1)
        for key, to in _INSTANCE_TO_AURORA.items():
            if to in aurora:
                db.setdefault(key, aurora[to])
    return db


def overrides_for(config: dict[str, Any], *, strategy: str | None = None,
                  mode: str | None = None) -> dict[str, object]:
    """Config overrides (fully qualified keys) that switch ``config`` to another database
    strategy and/or failover mode; empty when neither is given."""
    out: dict[str, object] = {}
    if strategy:
        out[f"{PROJECT}:database"] = strategy_database(config, strategy)
    if mode:
        failover = _object(config.get(f"{PROJECT}:failover"))
        out[f"{PROJECT}:failover"] = {**failover, "mode": mode} if isinstance(failover, dict) else failover
    return out
