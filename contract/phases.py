"""Where a stack stands in a disaster-recovery cycle, and the app-facing write switch.

The phase is the operator's statement in the stack config (``ecommerce-dr:failover.phase``),
never guessed from live AWS state: the program declares what the phase says, the failover
orchestrator gets it as ``FAILOVER_PHASE`` and says which phase to set next (with the exact
``pulumi config set`` commands, :func:`phase_commands`, :func:`after_failback_commands`), and
the policy pack holds the plan to it.

The cycle is three phases and two operator events::

    normal --(failover: orchestrator, automatic or manual)--> set failed-over
    failed-over --(primary Region back)--> set reverse-replicating
    reverse-replicating --(failback: operator event, planned switchover)--> set normal
                          with the promoted reverse replica as the primary and a fresh standby

The write switch is the application contract of the planned failback: an SSM parameter per
Region (:func:`contract.names.write_switch_parameter`) that the failover orchestrator sets to
``paused`` while it switches over and back to ``open`` after; the application answers writes
with HTTP 503 while it reads ``paused``.
"""

from __future__ import annotations

import re
import shlex
from enum import StrEnum
from typing import Final

#: The stack config namespace (the Pulumi project name).
CONFIG_NAMESPACE: Final[str] = "ecommerce-dr"
#: The config key of the phase, under :data:`CONFIG_NAMESPACE`.
PHASE_KEY: Final[str] = "failover.phase"
#: The config key naming the reverse replica, under :data:`CONFIG_NAMESPACE`.
REVERSE_REPLICA_KEY: Final[str] = "failover.reverseReplicaIdentifier"
#: The config key of the dms forward pipeline's source credentials, under
#: :data:`CONFIG_NAMESPACE`: after a dms failback, the new primary's managed master secret.
DMS_SOURCE_SECRET_KEY: Final[str] = "database.dms.sourceSecretArn"
#: The config keys of the primary database (an instance, an Aurora cluster), under
#: :data:`CONFIG_NAMESPACE`.
PRIMARY_INSTANCE_KEY: Final[str] = "database.primaryInstanceArn"
PRIMARY_CLUSTER_KEY: Final[str] = "database.primaryClusterArn"
#: RDS identifiers are at most 63 characters (Amazon RDS User Guide, "Naming constraints in
#: Amazon RDS").
_MAX_IDENTIFIER = 63


class Phase(StrEnum):
    """``failover.phase`` values (and the failover orchestrator's ``FAILOVER_PHASE``)."""

    NORMAL = "normal"
    """The primary writes in the primary Region and the standby replicates in the standby
    Region. Also the phase after a failback: the promoted reverse replica is then the primary
    (``database.primaryInstanceArn``) and the standby is a fresh one
    (``database.standbyIdentifier``, never the old writer's instance)."""

    FAILED_OVER = "failed-over"
    """The orchestrator promoted the standby, which takes the writes and the traffic. The
    primary Region may still be down: a deploy changes nothing there and calls nothing there
    at configure time."""

    REVERSE_REPLICATING = "reverse-replicating"
    """The primary Region is back: the program declares a read replica of the promoted
    database there (the reverse replica; for ``dms`` a reverse CDC task into a target there),
    which the planned failback switches over to. For ``aurora-global`` nothing new is declared:
    Aurora adds the old primary cluster back as a secondary by itself."""

    @property
    def next(self) -> Phase:
        """The phase the operator sets after this one's event (failover, recovery, failback)."""
        return _NEXT[self]

    @property
    def keeps_standby(self) -> bool:
        """Whether the next phase still declares the standby this phase declares (so this
        phase's deploys declare it with ``protect``): false only in ``reverse-replicating``,
        whose successor (``normal`` after the failback) declares a fresh standby and lets the
        promoted one go."""
        return self is not Phase.REVERSE_REPLICATING

    @property
    def traffic_on_standby(self) -> bool:
        """Whether the gate holds traffic on the standby in this phase (until the failback,
        which ends ``reverse-replicating``)."""
        return self is not Phase.NORMAL


_NEXT: Final[dict[Phase, Phase]] = {Phase.NORMAL: Phase.FAILED_OVER,
                                    Phase.FAILED_OVER: Phase.REVERSE_REPLICATING,
                                    Phase.REVERSE_REPLICATING: Phase.NORMAL}


class WriteSwitch(StrEnum):
    """Values of the write switch parameter (:func:`contract.names.write_switch_parameter`)."""

    OPEN = "open"
    """The application accepts writes (the value the program creates the parameter with)."""

    PAUSED = "paused"
    """The application answers every write with HTTP 503: the failover orchestrator sets it
    during the planned failback, while the reverse replica catches up and is promoted."""


def config_set_command(stack: str, key: str, value: str) -> str:
    """``pulumi config set --stack <stack> --path ecommerce-dr:<key> <value>``, the value
    shell-quoted where it needs it (an RDS-managed secret's ARN has a ``!``, which an
    interactive bash would expand)."""
    return f"pulumi config set --stack {stack} --path {CONFIG_NAMESPACE}:{key} {shlex.quote(value)}"


def config_remove_command(stack: str, key: str) -> str:
    """``pulumi config rm --stack <stack> --path ecommerce-dr:<key>``."""
    return f"pulumi config rm --stack {stack} --path {CONFIG_NAMESPACE}:{key}"


def phase_commands(stack: str, phase: Phase) -> list[str]:
    """The commands that set ``phase`` (one ``pulumi config set``), then ``pulumi up``."""
    return [config_set_command(stack, PHASE_KEY, str(phase)), f"pulumi up --stack {stack}"]


def default_reverse_replica_identifier(standby_identifier: str) -> str:
    """The reverse replica's identifier when ``failover.reverseReplicaIdentifier`` is not set:
    ``<standby identifier>-reverse`` (a replica of the promoted standby, in the primary
    Region)."""
    return f"{standby_identifier}-reverse"


def fresh_standby_identifier(current: str) -> str:
    """A standby identifier that is not ``current``: ``shop-standby`` -> ``shop-standby-2``,
    ``shop-standby-2`` -> ``shop-standby-3`` (at most 63 characters, the base shortened if
    needed). The old writer's instance keeps its identifier, so the fresh standby needs
    another."""
    m = re.fullmatch(r"(?P<base>.+)-(?P<n>[0-9]+)", current)
    base, n = (m["base"], int(m["n"]) + 1) if m else (current, 2)
    suffix = f"-{n}"
    return base[:_MAX_IDENTIFIER - len(suffix)].rstrip("-") + suffix


def after_failback_config(*, primary_region: str, account: str, reverse_replica: str,
                          standby: str, partition: str = "aws",
                          source_secret: str | None = None) -> dict[str, str]:
    """The config keys (under :data:`CONFIG_NAMESPACE`) an operator sets after a failback of an
    instance strategy: phase ``normal``, the promoted reverse replica (dms: the reverse task's
    fresh target) as the primary (its ARN,
    ``arn:<partition>:rds:<primary region>:<account>:db:<reverse replica>``), ``standby`` (a
    fresh identifier, see :func:`fresh_standby_identifier`) as the standby and, for dms,
    ``source_secret`` (the new primary's managed master secret) as
    :data:`DMS_SOURCE_SECRET_KEY`."""
    out = {PHASE_KEY: str(Phase.NORMAL),
           PRIMARY_INSTANCE_KEY:
               f"arn:{partition}:rds:{primary_region}:{account}:db:{reverse_replica}",
           "database.standbyIdentifier": standby}
    if source_secret:
        out[DMS_SOURCE_SECRET_KEY] = source_secret
    return out


def after_failback_commands(stack: str, config: dict[str, str]) -> list[str]:
    """``pulumi config set`` for each key of :func:`after_failback_config`, then ``pulumi up``."""
    return [*(config_set_command(stack, k, v) for k, v in config.items()),
            f"pulumi up --stack {stack}"]
