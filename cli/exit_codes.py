"""The exit codes of every command (documented here once; ``--help`` prints :data:`EPILOG`).

* ``0`` (:attr:`ExitCode.OK`): done; no mandatory violation, every check passed.
* ``1`` (:attr:`ExitCode.FAILED`): a mandatory policy violation (preview), a failed check or
  a missed RTO/RPO target (drill; not the loss ``replication-lag --force`` causes on purpose,
  which passes when it is measured as forced), no tier meets the targets (tiers), a
  benchmark section that could not be measured (bench).
* ``2`` (:attr:`ExitCode.CANNOT_RUN`): bad stack config (the message names the key and what
  is allowed; nothing is run or declared), bad options, a refused ``--target aws``, or a
  drill that cannot run: its policy gate failed (after the offline preview ran), another
  drill holds its data directory, PostgreSQL or the emulator cannot start.
* ``3`` (:attr:`ExitCode.PROGRAM_FAILED`): the Pulumi program failed under mocks for a
  reason other than its config (the traceback is printed).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes shared by every command (see the module docstring)."""

    OK = 0
    FAILED = 1
    CANNOT_RUN = 2
    PROGRAM_FAILED = 3


EPILOG = ("exit codes: 0 ok; 1 mandatory violation, failed check or missed target; "
          "2 bad config or options, cannot run; 3 the program failed under mocks")
