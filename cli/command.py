"""What every subcommand module provides, and running one on its own.

A subcommand is a module with:

* ``NAME`` (``"preview"``), ``HELP`` (one line for ``python -m cli --help``) and
  ``DESCRIPTION`` (its own ``--help`` text);
* ``add_arguments(parser)``: every option, each with a ``help`` string;
* ``run(args) -> int``: do the work and return a :class:`cli.exit_codes.ExitCode`.

Heavy imports happen inside ``run``, so ``--help`` stays fast. :func:`main` runs one module
as if it were ``python -m cli <NAME> ...`` (tests call each command this way).
"""

from __future__ import annotations

import argparse
from types import ModuleType

from cli.exit_codes import EPILOG


def configure(parser: argparse.ArgumentParser, module: ModuleType) -> argparse.ArgumentParser:
    """Add ``module``'s options to ``parser`` and bind ``module.run`` to it."""
    parser.description = module.DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    module.add_arguments(parser)
    parser.set_defaults(_run=module.run)
    return parser


def main(module: ModuleType, argv: list[str] | None = None) -> int:
    """Parse ``argv`` with ``module``'s options and run it; returns its exit code."""
    parser = configure(argparse.ArgumentParser(prog=f"python -m cli {module.NAME}"), module)
    return int(module.run(parser.parse_args(argv)))
