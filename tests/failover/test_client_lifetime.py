"""Handler clients last one invocation: a throttling storm that emptied one invocation's retry
quota leaves the next invocation's clients retrying in full; within one invocation a client
is made once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.retries.standard
import pytest
from botocore.exceptions import ClientError

from handlers.shared import aws

THROTTLED = (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
             b"<Message>Rate exceeded</Message></Error></ErrorResponse>")


@pytest.fixture
def always_throttled(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """An RDS endpoint on 127.0.0.1 that answers every request with Throttling; yields the
    count of requests it got. botocore's backoff sleeps are cut to nothing."""
    hits = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("content-length", 0)))
            hits[0] += 1
            self.send_response(400)
            self.send_header("content-length", str(len(THROTTLED)))
            self.end_headers()
            self.wfile.write(THROTTLED)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount",
                        lambda self, context: 0.0)
    yield hits
    server.shutdown()


def _attempts(rds: object, hits: list[int]) -> int:
    before = hits[0]
    with pytest.raises(ClientError, match="Throttling"):
        rds.describe_db_instances()  # type: ignore[attr-defined]
    return hits[0] - before


def test_a_storm_that_emptied_one_invocations_quota_does_not_reach_the_next(
        always_throttled: list[int]) -> None:
    first = aws.default_clients()("rds", "us-west-2")
    per_call = [_attempts(first, always_throttled) for _ in range(15)]
    assert per_call[0] == 9 and per_call[-1] < 9      # botocore's quota ran out on that client
    again = aws.default_clients()("rds", "us-west-2")  # the next invocation's factory
    assert _attempts(again, always_throttled) == 9


def test_one_invocation_makes_each_client_once() -> None:
    clients = aws.default_clients(fast_fail_regions={"us-east-1"})
    assert clients("rds", "us-west-2") is clients("rds", "us-west-2")
    assert clients("rds", "us-east-1") is not clients("rds", "us-west-2")
    assert clients("rds", "us-east-1").meta.config.retries == aws.FAST_FAIL_CONFIG.retries
