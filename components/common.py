"""Shared by every component: the Region providers, tags, IAM helpers and the Lambda bundle;
physical names and ARNs (:class:`Naming`) live in :mod:`components.naming` and are re-exported.

Nothing here declares a resource except :func:`create_providers`, which ``__main__`` calls
once, after the settings and the physical names are validated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.naming import Naming, Suffix, naming
from components.settings import DrSettings
from contract.names import ROLE_TAG, Role
from rto_rpo.figures import HEALTH_CHECK_METRIC_REGION

#: Powertools for AWS Lambda (Python) v3 public layer version, x86_64, python3.12.
#: Source: powertools-lambda-python docs/index.md layer table, bumped to version 27 in
#: aws-powertools/powertools-lambda-python PR #7757 (and used as "the latest V3 layer" by
#: schubergphilis/terraform-aws-mcaf-securityhub-findings-manager PR #91, 2026-06).
#: The layer is published in every commercial Region by account 017000801446.
POWERTOOLS_LAYER_VERSION = 27
POWERTOOLS_ACCOUNT = "017000801446"
LAMBDA_RUNTIME = "python3.12"

#: The ``service`` dimension Powertools Metrics adds to the failover orchestrator's EMF counts
#: (PrimaryProbeFailed, FailoverFalsePositive, OrchestratorError); equals
#: ``handlers.failover.observability.SERVICE`` (a test pins it). Its single_metric timings
#: (step and failover durations) carry only ``Stack`` (and ``Step``).
FAILOVER_SERVICE_DIMENSION = "failover-orchestrator"

__all__ = ["Naming", "Suffix", "naming"]  # re-exported for the components

@dataclass(frozen=True)
class Providers:
    """The explicit AWS providers, one per Region the stack touches.

    Attributes:
        primary: the primary Region's provider.
        standby: the standby Region's provider.
        health_metrics: us-east-1, the only Region with ``AWS/Route53 HealthCheckStatus``
            (rto_rpo.figures.HEALTH_CHECK_METRIC_REGION); the same object as ``primary`` or
            ``standby`` when that Region is us-east-1.
        primary_region, standby_region: their Region codes.
    """

    primary: aws.Provider
    standby: aws.Provider
    health_metrics: aws.Provider
    primary_region: str
    standby_region: str

    @property
    def health_metrics_region(self) -> str:
        return HEALTH_CHECK_METRIC_REGION

    def by_region(self) -> dict[str, aws.Provider]:
        """Region code -> provider, each Region once."""
        return {self.primary_region: self.primary, self.standby_region: self.standby,
                HEALTH_CHECK_METRIC_REGION: self.health_metrics}


#: Arguments of the primary-Region provider so that configuring it calls nothing in that
#: Region (a deploy must work while its APIs are down, phase failed-over): no STS
#: GetCallerIdentity to validate credentials or learn the account (the program builds every
#: ARN from the account in the primary database's ARN, config), no Region lookup, no EC2
#: instance metadata probe. Set in every phase, so the provider is the same before and after
#: a failover and no primary-Region resource shows a diff (pulumi-aws Provider arguments
#: skipCredentialsValidation, skipRequestingAccountId, skipRegionValidation,
#: skipMetadataApiCheck: https://www.pulumi.com/registry/packages/aws/api-docs/provider/).
PRIMARY_OFFLINE_ARGS: dict[str, Any] = {
    "skip_credentials_validation": True, "skip_requesting_account_id": True,
    "skip_region_validation": True, "skip_metadata_api_check": True}


def create_providers(s: DrSettings) -> Providers:
    """Declare one ``aws.Provider`` per Region (primary, standby and, if neither is it,
    us-east-1 for the Route 53 health-check metrics); the primary's with
    :data:`PRIMARY_OFFLINE_ARGS`."""
    primary = aws.Provider("primary", region=s.primary_region, **PRIMARY_OFFLINE_ARGS)
    standby = aws.Provider("standby", region=s.standby_region)
    if s.primary_region == HEALTH_CHECK_METRIC_REGION:
        metrics = primary
    elif s.standby_region == HEALTH_CHECK_METRIC_REGION:
        metrics = standby
    else:
        metrics = aws.Provider("route53-metrics", region=HEALTH_CHECK_METRIC_REGION)
    return Providers(primary, standby, metrics, s.primary_region, s.standby_region)


def tags(s: DrSettings, role: Role | None = None, **extra: str) -> dict[str, str]:
    """The stack's tags (``settings.tags``), plus ``dr:role`` = ``role`` when given."""
    out = {**s.tags, "dr:stack": pulumi.get_stack(), **extra}
    if role is not None:
        out[ROLE_TAG] = str(role)
    return out


def child(parent: pulumi.Resource, provider: pulumi.ProviderResource,
          **kwargs: Any) -> pulumi.ResourceOptions:
    """Options for a component's child: ``parent`` and its Region's explicit provider."""
    return pulumi.ResourceOptions(parent=parent, provider=provider, **kwargs)


def policy_json(statements: list[dict[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy document (JSON) from statements whose values may be Outputs."""
    return pulumi.Output.from_input({"Version": "2012-10-17", "Statement": statements}).apply(
        lambda d: json.dumps(d, sort_keys=True))


def assume_role_policy(service: str) -> str:
    """Trust policy letting ``service`` (e.g. ``lambda.amazonaws.com``) assume a role."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def powertools_layer_arn(region: str) -> str:
    """The Region's public Powertools v3 layer (python3.12, x86_64); see
    :data:`POWERTOOLS_LAYER_VERSION` for the source."""
    return (f"arn:aws:lambda:{region}:{POWERTOOLS_ACCOUNT}:layer:"
            f"AWSLambdaPowertoolsPythonV3-python312-x86_64:{POWERTOOLS_LAYER_VERSION}")


#: The packages in the Lambda bundle: the handlers and the contracts and figures they read.
#: They need only boto3, Powertools and pydantic, which the runtime and the Powertools layer
#: carry (a test pins that).
LAMBDA_BUNDLE_PACKAGES: tuple[str, ...] = ("handlers", "contract", "rto_rpo")


def lambda_code() -> pulumi.AssetArchive:
    """The handlers bundle: each of :data:`LAMBDA_BUNDLE_PACKAGES` as a folder of the zip."""
    return pulumi.AssetArchive({pkg: pulumi.FileArchive(pkg) for pkg in LAMBDA_BUNDLE_PACKAGES})
