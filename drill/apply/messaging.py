"""Apply functions for SNS topics and subscriptions and SQS queues."""

from __future__ import annotations

from typing import Any

from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied
from drill.apply.inputs import aws_tags, known, name_of
from engine.plan import PlannedResource


def sns_topic(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateTopic."""
    name = name_of(r, i)
    arn = ctx.client("sns", region).create_topic(Name=name, Tags=aws_tags(i))["TopicArn"]
    return applied(r, i, region, id=arn, arn=arn, physical_name=name)


def sns_subscription(r: PlannedResource, i: dict[str, Any], region: str,
                     ctx: ApplyContext) -> Applied:
    """Subscribe. Raises Skip when the topic or endpoint is unknown."""
    topic, endpoint = known(i, "topic"), known(i, "endpoint")
    if not topic or not endpoint:
        raise Skip("topic or endpoint unknown and not resolvable")
    arn = ctx.client("sns", region).subscribe(
        TopicArn=topic, Protocol=i["protocol"], Endpoint=endpoint)["SubscriptionArn"]
    return applied(r, i, region, id=arn, arn=arn)


def sqs_queue(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateQueue."""
    sqs = ctx.client("sqs", region)
    name = name_of(r, i)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"]
                                   )["Attributes"]["QueueArn"]
    return applied(r, i, region, id=url, arn=arn, physical_name=name)


APPLIERS: dict[str, ApplyFn] = {
    "aws:sns/topic:Topic": sns_topic,
    "aws:sns/topicSubscription:TopicSubscription": sns_subscription,
    "aws:sqs/queue:Queue": sqs_queue,
}
