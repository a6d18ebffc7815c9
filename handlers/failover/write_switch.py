"""The app-facing write switch: an SSM parameter per Region,
:func:`contract.names.write_switch_parameter` (``/ecommerce-dr/<stack>/writes``, String), whose
value is a :class:`contract.phases.WriteSwitch`. While it reads ``paused`` the shop in that
Region answers writes with HTTP 503 and writes nothing (it re-reads the switch at least every
:data:`contract.names.WRITE_SWITCH_REFRESH_SECONDS`).

The program declares the parameter in both Regions; the orchestrator only reads and overwrites
its value (``GetParameter``, ``PutParameter`` with ``Overwrite``), never creates or deletes
one: a switch the program did not deploy is reported as absent (None), so a caller can refuse
rather than trust a pause nobody reads. Sources: AWS Systems Manager API Reference,
"GetParameter" (ParameterNotFound) and "PutParameter" (Overwrite),
https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from contract.names import write_switch_parameter
from contract.phases import WriteSwitch


def read(ssm: Any, stack: str) -> str | None:
    """The switch's value in ``ssm``'s Region (normally ``open`` or ``paused``), or None when
    the parameter does not exist there.

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: any other error of GetParameter.
    """
    try:
        out = ssm.get_parameter(Name=write_switch_parameter(stack))
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "ParameterNotFound":
            return None
        raise
    return str(out["Parameter"]["Value"])


def put(ssm: Any, stack: str, value: WriteSwitch) -> None:
    """Set the switch in ``ssm``'s Region to ``value`` (PutParameter, Overwrite). Call only for
    a switch :func:`read` found: PutParameter would create a missing one.

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: the PutParameter call failed.
    """
    ssm.put_parameter(Name=write_switch_parameter(stack), Value=str(value), Type="String",
                      Overwrite=True)


def ensure_open(ssm: Any, stack: str) -> str:
    """Open the switch in ``ssm``'s Region if it is deployed and not open: ``"open"`` (it was),
    ``"opened"`` (it was set to open) or ``"absent"`` (no switch deployed: nothing to do).

    Raises:
        botocore.exceptions.ClientError / BotoCoreError: a call failed.
    """
    value = read(ssm, stack)
    if value is None:
        return "absent"
    if value == WriteSwitch.OPEN:
        return "open"
    put(ssm, stack, WriteSwitch.OPEN)
    return "opened"
