"""The errors both orchestrators raise before any AWS call: a bad event, a bad environment.

* :class:`MalformedEventError` - the event is malformed or foreign (not one this handler
  accepts); the message says what is wrong and what is accepted.
* :class:`SettingsError` - the Lambda environment is missing or invalid variables
  (:class:`contract.env.SettingsError`, one line per variable, naming it).
"""

from __future__ import annotations

from contract.env import SettingsError

__all__ = ["MalformedEventError", "SettingsError"]


class MalformedEventError(ValueError):
    """The event matches none of the accepted shapes, or belongs to another source; the
    message names the problem and the accepted shapes."""
