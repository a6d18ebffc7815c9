"""Encrypted SNS alert topics, one per Region the stack has alarms in, each with the email
subscription.

CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed ``alias/aws/sns``
key (its key policy cannot grant ``cloudwatch.amazonaws.com``), so each topic gets its own
customer-managed key whose policy lets CloudWatch and EventBridge encrypt messages.
The Regions are the primary, the standby and, when it is neither, us-east-1 (home of the
Route 53 health-check alarm: an alarm can only notify a topic in its own Region).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.common import Naming, Providers, child, tags
from components.naming import Suffix
from components.settings import DrSettings
from contract.names import Role

#: Key-administration and use actions granted to the account root (IAM policies then decide
#: who may use the key). Listed by name: no wildcards in any action.
KEY_ACCOUNT_ACTIONS: tuple[str, ...] = (
    "kms:CancelKeyDeletion", "kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:DisableKey",
    "kms:EnableKey", "kms:EnableKeyRotation", "kms:Encrypt", "kms:GenerateDataKey",
    "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListGrants", "kms:ListResourceTags",
    "kms:PutKeyPolicy", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant",
    "kms:RevokeGrant", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource",
    "kms:UpdateKeyDescription",
)


def key_policy(naming: Naming, service_principals: tuple[str, ...] = ()) -> str:
    """A key policy: the account root may administer and use the key; each service principal
    may encrypt with it (GenerateDataKey, Decrypt), for this account only."""
    statements: list[dict[str, object]] = [{
        "Sid": "AccountAdministersAndUsesKey", "Effect": "Allow",
        "Principal": {"AWS": f"arn:{naming.partition}:iam::{naming.account}:root"},
        "Action": list(KEY_ACCOUNT_ACTIONS), "Resource": "*"}]
    if service_principals:
        statements.append({
            "Sid": "ServicesEncryptForThisAccount", "Effect": "Allow",
            "Principal": {"Service": list(service_principals)},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": naming.account}}})
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


@dataclass
class AlertTopicsArgs:
    """Inputs of :class:`AlertTopics`.

    Attributes:
        settings: validated stack settings (``alertEmail``, tags).
        providers: the Region providers; one topic per distinct Region of ``by_region()``.
        naming: physical names; the topic in Region R is ``naming.topic_arn(R)``.
    """

    settings: DrSettings
    providers: Providers
    naming: Naming


class AlertTopics(pulumi.ComponentResource):
    """One KMS-encrypted SNS topic per Region, each with an email subscription.

    Outputs:
        topic_arns: Region -> topic ARN (``Output[str]``).
        known_topic_arns: Region -> topic ARN as a plain string (the name is fixed, so the ARN
            is known during preview; used in Lambda env vars the policy pack reads).
        key_arns: Region -> ARN of the topic's KMS key (publishers need kms:GenerateDataKey).
        key_aliases: ``(region, alias)`` of each topic key, for IAM statements.
    """

    def __init__(self, name: str, args: AlertTopicsArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("ecommerce-dr:alerts:AlertTopics", name, None, opts)
        s, n = args.settings, args.naming
        self.topic_arns: dict[str, pulumi.Output[str]] = {}
        self.known_topic_arns: dict[str, str] = {}
        self.key_arns: dict[str, pulumi.Output[str]] = {}
        self.topics: dict[str, aws.sns.Topic] = {}
        self.key_aliases: list[tuple[str, str]] = []
        for region, provider in args.providers.by_region().items():
            key = aws.kms.Key(
                f"{name}-key-{region}",
                description=f"Encrypts the {n.prefix} alert topic in {region}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=key_policy(n, ("cloudwatch.amazonaws.com", "events.amazonaws.com")),
                tags=tags(s), opts=child(self, provider))
            alias = n.key_alias(Suffix.ALERTS)
            aws.kms.Alias(f"{name}-key-alias-{region}", name=alias, target_key_id=key.key_id,
                          opts=child(self, provider))
            self.key_aliases.append((region, alias))
            topic = aws.sns.Topic(
                f"{name}-{region}", name=n.name(Suffix.ALERTS), kms_master_key_id=key.arn,
                tags=tags(s, Role.ALERT_TOPIC), opts=child(self, provider))
            aws.sns.TopicSubscription(
                f"{name}-email-{region}", topic=topic.arn, protocol="email",
                endpoint=s.alert_email or "", opts=child(self, provider))
            self.topics[region] = topic
            self.topic_arns[region] = topic.arn
            self.known_topic_arns[region] = n.topic_arn(region)
            self.key_arns[region] = key.arn
        self.register_outputs({"topicArns": self.topic_arns, "keyArns": self.key_arns})
