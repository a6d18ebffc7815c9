"""The pricing-function registry: Pulumi type token -> the function that prices it.

A pricing function takes ``(resource, ctx: cost.context.Context)`` and returns
:class:`Priced` (its charges) or :class:`NoCharge` (AWS does not charge for it, and why); it
raises :class:`cost.context.Unpriceable` or :class:`cost.prices.PriceNotFound` when it cannot
give a figure, and the line is then listed as unpriced with that message.

Register with ``@prices("aws:service/type:Type")`` in a module of :mod:`cost.pricing` (each
imported by ``cost/pricing/__init__.py``). Types AWS never charges for are in
:data:`NO_CHARGE`; types that will be priced but are not yet are in :data:`PENDING` with the
reason shown. Every other type is unpriced: "no pricing function".

Aurora Global Database types are priced by :mod:`cost.pricing.aurora`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cost.result import Charge


@dataclass
class Priced:
    charges: list[Charge]
    note: str = ""


@dataclass
class NoCharge:
    reason: str


Pricer = Callable[[Any, Any], "Priced | NoCharge"]

PRICERS: dict[str, Pricer] = {}


def prices(*type_tokens: str) -> Callable[[Pricer], Pricer]:
    """Register the decorated function as the pricing function of ``type_tokens``.

    Raises:
        ValueError: a token already has a function or is listed as no charge / pending.
    """
    def register(fn: Pricer) -> Pricer:
        for t in type_tokens:
            if t in PRICERS or t in NO_CHARGE or t in PENDING:
                raise ValueError(f"{t} is already registered")
            PRICERS[t] = fn
        return fn
    return register


_CONFIG = "configuration of another resource, which carries the charges"

#: Types AWS does not charge for, with the reason shown on their lines.
NO_CHARGE: dict[str, str] = {
    "aws:iam/role:Role": "IAM roles are free",
    "aws:iam/rolePolicy:RolePolicy": "IAM policies are free",
    "aws:iam/policy:Policy": "IAM policies are free",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM policies are free",
    "aws:kms/alias:Alias": "KMS aliases are free; the key is priced",
    "aws:lambda/permission:Permission": "a resource policy statement: free",
    "aws:cloudwatch/eventTarget:EventTarget": "targets are free; events are priced on the rule",
    "aws:cloudwatch/eventBus:EventBus": "an event bus is free; events are priced when sent",
    "aws:s3/bucketVersioning:BucketVersioning": f"bucket {_CONFIG}",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        f"bucket {_CONFIG}",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": f"bucket {_CONFIG}",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
        f"bucket {_CONFIG} (its expiry bounds the bucket's storage)",
    "aws:s3/bucketPolicy:BucketPolicy": f"bucket {_CONFIG}",
    "aws:dms/endpoint:Endpoint": "DMS endpoints are free; the replication instance is priced",
    # AWS Systems Manager pricing, Parameter Store: standard parameters, no additional charge
    # (https://aws.amazon.com/systems-manager/pricing/).
    "aws:ssm/parameter:Parameter": "standard Parameter Store parameters are free",
}

#: Types not priced yet, with the reason shown (an unpriced line, never a silent 0).
PENDING: dict[str, str] = {}
