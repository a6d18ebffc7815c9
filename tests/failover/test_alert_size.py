"""Every alert is deliverable whatever its body (SNS refuses messages over 262,144 bytes),
and what the state record keeps fits DynamoDB's 400 KB item limit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from emulator.clients import RefusingClients
from handlers.failover.app import handle
from handlers.failover.events import MAX_REASON_CHARS, MalformedEventError
from handlers.failover.settings import load_settings
from handlers.shared.alerts import MAX_MESSAGE_BYTES, TRUNCATED_KEY, fit_message, publish_alert
from tests.failover.world import PRIMARY, STANDBY, World, context, manual


@pytest.mark.parametrize("action", ["failover", "failback"])
@pytest.mark.parametrize("size", [MAX_REASON_CHARS + 1, 300_000, 1_000_000])
def test_a_reason_over_the_limit_is_refused_before_anything_runs(
        static_env: dict[str, str], action: str, size: int) -> None:
    clients = RefusingClients()
    with pytest.raises(MalformedEventError) as err:
        handle(manual(action, "x" * size), context(), clients=clients,
               settings=load_settings(static_env))
    assert (f"reason: at most {MAX_REASON_CHARS} characters, got {size}; the full story "
            "belongs in the incident record") in str(err.value)
    assert clients.requested == []


def test_a_reason_at_the_limit_is_accepted() -> None:
    from handlers.failover.events import parse_event
    assert MAX_REASON_CHARS == 1000
    assert len(parse_event(manual(reason="é" * MAX_REASON_CHARS)).reason) == MAX_REASON_CHARS


# -- fit_message ------------------------------------------------------------------------------
def _size(message: str) -> int:
    return len(message.encode("utf-8"))


def test_a_small_body_is_sent_as_it_is() -> None:
    body = {"failover_id": "fo-1", "reason": "région down"}
    message, cut = fit_message(body)
    assert cut is False and json.loads(message) == body


@pytest.mark.parametrize("text", ["x" * 300_000, "é" * 200_000, "\n\"\\" * 100_000,
                                  "€" * 1_000_000])
def test_a_long_text_is_cut_to_the_byte_limit_keeping_json(text: str) -> None:
    """200,000 'é' are 200,000 characters (under the limit as characters) but 400,000
    bytes: the limit is counted in bytes. Escaped characters grow in JSON."""
    body = {"failover_id": "fo-1", "error": text, "timeline": [{"step": "promote"}]}
    message, cut = fit_message(body, full_text="the failover record")
    assert cut is True
    assert _size(message) <= MAX_MESSAGE_BYTES
    assert _size(message) > MAX_MESSAGE_BYTES - 2_000  # cut no more than needed
    out = json.loads(message)
    assert out["failover_id"] == "fo-1" and out["timeline"] == [{"step": "promote"}]
    assert text.startswith(out["error"].split("… [truncated: ")[0])
    assert "bytes shown]" in out["error"]
    assert "the full text is in the failover record" in out[TRUNCATED_KEY]


def test_a_body_of_very_many_values_is_cut_as_text() -> None:
    body = {f"k{i:06d}": i for i in range(40_000)}
    message, cut = fit_message(body)
    assert cut is True
    assert _size(message) <= MAX_MESSAGE_BYTES
    assert message.rstrip().endswith("]") and f"[{TRUNCATED_KEY}: " in message
    message.encode("utf-8").decode("utf-8")  # valid UTF-8


# -- publishing -----------------------------------------------------------------------------
def test_a_large_alert_reaches_every_region(aws: None) -> None:
    """moto's SNS refuses a message over 262,144 characters with "Message too long", as SNS
    does (SNS counts bytes: the byte bound is pinned above)."""
    topics, queues = {}, {}
    for region in (PRIMARY, STANDBY):
        sns, sqs = boto3.client("sns", region_name=region), boto3.client("sqs", region_name=region)
        topics[region] = sns.create_topic(Name="alerts")["TopicArn"]
        queues[region] = sqs.create_queue(QueueName="alerts")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queues[region], AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topics[region], Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"})
    sent: list[dict[str, Any]] = []

    def client(region: str) -> Any:
        c = boto3.client("sns", region_name=region)
        c.meta.events.register("before-parameter-build.sns.Publish",
                               lambda params, **_: sent.append(params))
        return c

    body = {"failover_id": "fo-1", "error": "x" * 300_000}
    assert publish_alert(topics, "[prod] big", body, client) == {
        PRIMARY: "published", STANDBY: "published"}
    assert len(sent) == 2
    assert all(len(p["Message"].encode()) <= MAX_MESSAGE_BYTES for p in sent)
    for region in (PRIMARY, STANDBY):
        got = boto3.client("sqs", region_name=region).receive_message(QueueUrl=queues[region])
        (msg,) = got["Messages"]
        assert json.loads(msg["Body"])["failover_id"] == "fo-1"


def test_a_failing_step_with_a_huge_error_is_recorded_and_alerted(
        make_world: Callable[..., World], monkeypatch: pytest.MonkeyPatch) -> None:
    """A 300 KB exception text (twice in the record: the step's error and last_error) would
    pass DynamoDB's 400 KB item limit and SNS's message limit."""
    from handlers.failover import steps
    from handlers.failover.context import StepFailed

    def explode(ctx: Any) -> Any:
        raise StepFailed("standby said: " + "z" * 300_000)

    world = make_world("read-replica")
    monkeypatch.setitem(steps.STEPS, "warm", explode)
    result = handle(manual(), context(), clients=world.clients)

    assert result["status"] == "step-failed"
    record = world.store().get("failover")
    assert record["alerts"] == {PRIMARY: "published", STANDBY: "published"}
    assert record["steps"]["warm"]["error"].startswith("StepFailed: standby said: zzz")
    assert "characters shown]" in record["last_error"]
    alerts = world.messages()
    assert len(alerts) == 2 and all(a["failover_id"] == result["failover_id"] for a in alerts)


def test_an_alarms_long_reason_is_kept_to_the_same_bound(make_world: Callable[..., World]) -> None:
    from tests.failover.world import alarm_event, scheduled_event
    world = make_world("read-replica", primary_status=200)
    handle(scheduled_event(), context(), clients=world.clients)  # armed
    world.primary.status = 503
    event = alarm_event()
    event["detail"]["state"]["reason"] = "Threshold Crossed: " + "1.0 " * 5000
    assert handle(event, context(), clients=world.clients)["status"] == "completed"
    reason = world.store().get("failover")["reason"]
    assert len(reason) == MAX_REASON_CHARS
    assert reason.startswith("alarm ecommerce-dr-primary-health: Threshold Crossed: 1.0")
    assert reason.endswith("characters shown]")


@pytest.mark.parametrize("limit", [64, 100, 1000, 2000])
def test_clip_text_keeps_exactly_the_limit_and_says_so(limit: int) -> None:
    from handlers.shared.alerts import clip_text
    assert clip_text("short", limit) == "short"
    clipped = clip_text("a" * 10 * limit, limit)
    assert len(clipped) == limit
    assert clipped.endswith(f"of {10 * limit} characters shown]")
