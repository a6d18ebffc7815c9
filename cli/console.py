"""The one rich console every command prints through: the terminal's width on a terminal;
otherwise no width limit, so no line is wrapped or cut when the output is a file, a pipe (CI
logs) or a buffer another step keeps."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.rule import Rule

#: Console width when the output is not a terminal: wide enough never to wrap a line.
NO_TTY_WIDTH = 100_000

#: Width of a rule (a titled separator line) when the console has no width limit; a longer
#: title widens it.
RULE_WIDTH = 100


def console_for(stream: Any = None, **options: Any) -> Console:
    """A console on ``stream`` (default stdout); ``options`` go to ``rich.console.Console``
    (``color_system=None`` for plain text)."""
    stream = stream or sys.stdout
    if getattr(stream, "isatty", lambda: False)():
        return Console(file=stream, **options)
    return Console(file=stream, width=NO_TTY_WIDTH, soft_wrap=True, **options)


def rule(console: Console, title: str) -> None:
    """A titled separator line: the console's width on a terminal; without a width limit,
    ``RULE_WIDTH`` columns or the title's length plus its margins, whichever is more."""
    plain = Console(width=NO_TTY_WIDTH).render_str(title).plain
    width = min(console.width, max(RULE_WIDTH, len(plain) + 8))
    console.print(Rule(title), width=width)
