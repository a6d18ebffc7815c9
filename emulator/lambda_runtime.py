"""Run a handler in-process the way Lambda would: its deployed environment, an event, a context.

:class:`FunctionRuntime` reads a deployed function's configuration back from the emulator
(``GetFunctionConfiguration``): the environment the applier deployed from the plan, plus what
the Lambda runtime itself sets (``AWS_REGION``, ``AWS_LAMBDA_FUNCTION_NAME``, ...) and
``AWS_ENDPOINT_URL`` pointing every boto3 client at the emulator. A *cold start* clears every
``functools.cache`` in the handler packages (settings parsed once per container, cached
clients), as a new container starts empty. :class:`LambdaContext` is the context object
Lambda passes to a Python handler.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from aws_lambda_powertools import Metrics

from emulator import ACCOUNT_ID, FAKE_CREDENTIALS
from emulator.faults import SimulatedCrash


@dataclass
class LambdaContext:
    """The attributes and method of the Lambda Python context object.

    Source: AWS Lambda Developer Guide, "Using the Lambda context object to retrieve Python
    function information" (https://docs.aws.amazon.com/lambda/latest/dg/python-context.html).
    """

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "emulated"
    identity: Any = None
    client_context: Any = None
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_seconds

    @classmethod
    def for_function(cls, name: str, *, region: str, account: str = ACCOUNT_ID,
                     timeout_seconds: float = 900.0, memory_mb: int = 512,
                     request_id: str | None = None) -> LambdaContext:
        """A context for function ``name`` in ``region`` (timeout in seconds, memory in MiB),
        invoked now; ``request_id`` defaults to a new UUID."""
        return cls(function_name=name,
                   invoked_function_arn=f"arn:aws:lambda:{region}:{account}:function:{name}",
                   memory_limit_in_mb=memory_mb, timeout_seconds=timeout_seconds,
                   **({"aws_request_id": request_id} if request_id is not None else {}))

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Invocation:
    """One in-process invocation: ``result`` (the handler's return value) or ``error``
    (``"<Type>: <message>"``); ``crashed`` when a :class:`emulator.faults.SimulatedCrash` ended
    it; ``seconds`` of wall time."""

    function: str
    trigger: str
    request_id: str
    seconds: float
    result: Any = None
    error: str | None = None
    crashed: bool = False


def clear_caches(prefixes: tuple[str, ...] = ("handlers.",)) -> int:
    """Clear every ``functools.cache``/``lru_cache`` function in loaded modules under
    ``prefixes`` (a new Lambda container), and the default dimensions of their Powertools
    ``Metrics`` (Powertools keeps them in state shared by every ``Metrics`` of the process,
    which a new container starts without: a drill of another stack would otherwise find the
    last one's ``Stack``). Returns how many caches were cleared."""
    n = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith(prefixes) or module is None:
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == name:
                value.cache_clear()
                n += 1
            elif isinstance(value, Metrics):
                value.clear_default_dimensions()
                value.clear_metrics()
    return n


@contextlib.contextmanager
def captured_output(sink: io.StringIO) -> Iterator[None]:
    """Send the handlers' structured logs and EMF metrics (stdout) to ``sink``."""
    moved: list[tuple[logging.StreamHandler[Any], Any]] = []
    for lg in [logging.getLogger(), *(logging.getLogger(n) for n in
                                      list(logging.root.manager.loggerDict))]:
        for h in getattr(lg, "handlers", []):
            if isinstance(h, logging.StreamHandler) and h.stream in (sys.stdout, sys.__stdout__):
                moved.append((h, h.setStream(sink)))
    try:
        with contextlib.redirect_stdout(sink):
            yield
    finally:
        for h, old in moved:
            h.setStream(old)


@contextlib.contextmanager
def lambda_environment(env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` as a Lambda container would have it for the block: ``env`` added, the
    caller's profile and session credentials hidden; restored afterwards."""
    drop = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
    with mock.patch.dict(os.environ, dict(env)):
        saved = {k: os.environ.pop(k) for k in drop if k in os.environ}
        try:
            yield
        finally:
            os.environ.update(saved)


def call_handler(handler_path: str, event: Any, context: LambdaContext) -> Any:
    """Import ``module.attr`` and call it with ``(event, context)``."""
    module_name, _, attr = handler_path.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)(event, context)


class FunctionRuntime:
    """Invokes one deployed function's handler in-process.

    Args:
        lambda_client: a client of the emulator's Lambda in the function's Region.
        function_name: the deployed name.
        region: its Region.
        handler_path: ``module.attr`` of the code to run (this repository's handler).
        endpoint_url: the emulator, set as ``AWS_ENDPOINT_URL`` for the handler's clients.
    """

    def __init__(self, *, lambda_client: Any, function_name: str, region: str,
                 handler_path: str, endpoint_url: str) -> None:
        cfg = lambda_client.get_function_configuration(FunctionName=function_name)
        self.function_name = function_name
        self.arn = cfg["FunctionArn"]
        self.timeout_seconds = float(cfg.get("Timeout", 3))
        self.memory_mb = int(cfg.get("MemorySize", 128))
        self.region = region
        self.env: dict[str, str] = {
            **cfg.get("Environment", {}).get("Variables", {}),
            "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["aws_secret_access_key"],
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_DEV": "false",
        }
        self.handler_path = handler_path
        self.logs = io.StringIO()
        self.invocations: list[Invocation] = []

    def cold_start(self) -> None:
        """Import the handler in its environment and empty every per-container cache."""
        with lambda_environment(self.env):
            importlib.import_module(self.handler_path.rpartition(".")[0])
            clear_caches()

    def context(self) -> LambdaContext:
        return LambdaContext(function_name=self.function_name, invoked_function_arn=self.arn,
                             memory_limit_in_mb=self.memory_mb, timeout_seconds=self.timeout_seconds)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The function's environment, with its stdout logs captured, for a batch of
        invocations (concurrent ones share it, as containers of one function share config)."""
        with lambda_environment(self.env), captured_output(self.logs):
            yield

    def invoke(self, event: dict[str, Any], *, trigger: str, cold: bool = False,
               inside_active: bool = False) -> Invocation:
        """Run the handler once. Exceptions (including a simulated crash) are recorded, not
        raised: Lambda records a failed invocation and the next trigger runs again.

        Args:
            event: the event, as Lambda would pass it.
            trigger: what sent it, for the report.
            cold: start a new container first (:meth:`cold_start`).
            inside_active: the caller already holds :meth:`active` (concurrent batches).
        """
        if cold:
            self.cold_start()
        ctx = self.context()
        inv = Invocation(self.function_name, trigger, ctx.aws_request_id, 0.0)
        with contextlib.nullcontext() if inside_active else self.active():
            started = time.perf_counter()
            try:
                inv.result = call_handler(self.handler_path, event, ctx)
            except SimulatedCrash as e:
                inv.crashed, inv.error = True, str(e)
            except Exception as e:  # noqa: BLE001 - an invocation error is an outcome
                inv.error = f"{type(e).__name__}: {e}"
            inv.seconds = time.perf_counter() - started
        self.invocations.append(inv)
        return inv
