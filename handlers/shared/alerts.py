"""SNS alerts, published in every Region that can be reached.

An alert about a Region failure must not depend on that Region: publish to each Region's
topic independently and report which ones were reached.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

#: SNS subject limit. Source: Amazon SNS API reference, Publish ("Subject ... must be less
#: than 100 characters").
MAX_SUBJECT_CHARS = 99


def publish_alert(topic_arns: Mapping[str, str], subject: str, body: Mapping[str, Any],
                  sns_client: Callable[[str], Any]) -> dict[str, str]:
    """Publish one alert to the topic of every Region given.

    Args:
        topic_arns: ``{region: topic_arn}``.
        subject: short subject (cut to 99 characters).
        body: JSON-serialisable message body.
        sns_client: ``region -> boto3 SNS client``.

    Returns:
        ``{region: "published" | "failed: <error>"}``. Never raises for an unreachable Region.
    """
    message = json.dumps(body, default=str, indent=2, sort_keys=True)
    results: dict[str, str] = {}
    for region, arn in topic_arns.items():
        try:
            sns_client(region).publish(TopicArn=arn, Subject=subject[:MAX_SUBJECT_CHARS],
                                       Message=message)
            results[region] = "published"
        except (ClientError, BotoCoreError) as e:
            results[region] = f"failed: {e}"
    return results
