"""Step 5: warm the standby: GET each WARM_URLS entry and invoke each WARM_FUNCTIONS entry
asynchronously (InvocationType Event). Failures are recorded, never fatal: a cold standby
is slower, not down."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.failover.context import StepContext, StepResult
from handlers.shared.probe import probe


def run(ctx: StepContext) -> StepResult:
    s = ctx.settings
    urls: dict[str, Any] = {}
    for url in s.warm_urls:
        urls[url] = probe(url, s.probe_timeout_seconds).as_dict()
    functions: dict[str, str] = {}
    if s.warm_functions:
        lam = ctx.standby("lambda")
        payload = json.dumps({"warm": True, "failover_id": ctx.record.failover_id}).encode()
        for fn in s.warm_functions:
            try:
                out = lam.invoke(FunctionName=fn, InvocationType="Event", Payload=payload)
                functions[fn] = f"invoked ({out.get('StatusCode')})"
            except (BotoCoreError, ClientError) as e:
                functions[fn] = f"failed: {e}"
    failures = sum(not r["healthy"] for r in urls.values()) + sum(
        v.startswith("failed") for v in functions.values())
    return StepResult("ok", {"urls": urls, "functions": functions, "failures": failures})
