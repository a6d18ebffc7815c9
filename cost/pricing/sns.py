"""SNS: alert topics and their subscriptions.

Prices (Amazon SNS pricing, https://aws.amazon.com/sns/pricing/): $0.50 per million requests;
$2.00 per 100,000 email notifications. Deliveries to Lambda and SQS are free. The SNS free
tier is not deducted.
"""

from __future__ import annotations

from typing import Any

from cost.context import Context, Unpriceable
from cost.plan import known
from cost.registry import NoCharge, Priced, prices


@prices("aws:sns/topic:Topic")
def topic(r: Any, ctx: Context) -> Priced:
    """USD/month of a topic's publishes (``usage.sns.notifications_per_topic_month``)."""
    n = ctx.usage.sns.notifications_per_topic_month
    return Priced([ctx.charge("publish requests", "sns/requests", r.region, n, source="usage",
                              note="usage.sns.notifications_per_topic_month")])


@prices("aws:sns/topicSubscription:TopicSubscription")
def subscription(r: Any, ctx: Context) -> Priced | NoCharge:
    """USD/month of an email subscription's deliveries (every message of its topic)."""
    protocol = known(r, "protocol")
    if protocol in ("lambda", "sqs"):
        return NoCharge(f"deliveries to {protocol} are free")
    if protocol not in ("email", "email-json"):
        raise Unpriceable(f"{protocol!r} deliveries are not priced")
    n = ctx.usage.sns.notifications_per_topic_month
    return Priced([ctx.charge("email notifications", "sns/email-notifications", r.region, n,
                              source="usage", note="usage.sns.notifications_per_topic_month")])
