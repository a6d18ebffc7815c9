"""Errors the data plane raises. Every one is a :class:`DataPlaneError`."""

from __future__ import annotations


class DataPlaneError(RuntimeError):
    """A data-plane operation failed; the message names what and why."""


class CommandError(DataPlaneError):
    """A PostgreSQL client program (``initdb``, ``pg_basebackup``...) exited non-zero.

    Attributes:
        argv: the command line that ran.
        returncode: its exit status.
        output: the last lines it printed (stdout and stderr).
    """

    def __init__(self, argv: list[str], returncode: int, output: str) -> None:
        self.argv = argv
        self.returncode = returncode
        self.output = output
        program = argv[0].rsplit("/", 1)[-1] if argv else "?"
        super().__init__(f"{program} exited {returncode}: {output.strip()[-2000:]}")


class ServerStartError(DataPlaneError):
    """A PostgreSQL server did not become ready; the message carries its log tail."""


class LinkCutError(DataPlaneError):
    """The inter-Region link is cut, so a cross-Region operation cannot run."""


class NotReplicatingError(DataPlaneError):
    """A replication operation was asked of a server or subscription that does not replicate."""
