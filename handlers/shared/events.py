"""Validating an event into a pydantic model with Powertools Parser, for both handlers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.parser import parse
from pydantic import BaseModel, ValidationError

from handlers.shared.errors import MalformedEventError

M = TypeVar("M", bound=BaseModel)


def problems(e: Exception) -> str:
    """``"<field.path>: <message>; ..."`` for a pydantic ``ValidationError`` (a validator's
    own message without pydantic's ``"Value error, "`` prefix), else ``str(e)``."""
    if isinstance(e, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'event'}: "
                         f"{err['msg'].removeprefix('Value error, ')}" for err in e.errors())
    return str(e)


def parse_model(event: Mapping[str, Any], model: type[M], *,
                message: Callable[[str], str]) -> M:
    """``event`` validated as ``model``.

    Args:
        event: the event object.
        model: the pydantic model (Powertools Parser model or own).
        message: builds the error message from the problems text (:func:`problems`).

    Raises:
        MalformedEventError: the event does not fit ``model``; ``message(problems)``.
    """
    try:
        return parse(event=dict(event), model=model)
    except Exception as e:  # Parser raises pydantic's error, or wraps it in its own type
        raise MalformedEventError(message(problems(e))) from None
