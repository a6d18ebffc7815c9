"""Deploy a plan recorded under Pulumi mocks into the emulator: what ``pulumi up`` would create.

Each planned custom resource is mapped to the boto3 call(s) the AWS provider would make for
it, in the plan's registration order (a resource is registered after everything it depends
on). Inputs that were unknown under mocks (the sentinel
``pulumi.runtime.rpc.UNKNOWN``) are resolved from what the applier already created:

* generically, through the resource's ``property_dependencies`` (an ``...Arn``/``role``/
  ``kmsKeyId`` property takes the dependency's ARN, an ``...Id`` its id, a ``rule``/``bucket``
  its name); every resolution is recorded in :attr:`Deployment.resolved`;
* for the orchestrators' environment variables (``contract.env.Env``), from the resources
  holding the matching ``dr:role`` tag (the state table's name, the alert topics' ARNs, ...).

Resource types the drill does not need are named in :attr:`Deployment.skipped` with the
reason; nothing is dropped silently. Physical names the provider would auto-generate are
``<logical name>-<7 hex>``, as Pulumi's autonaming does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from .apply_common import (
    Applied,
    ClientFactory,
    Deployment,
    Skip,
    autoname,
    contains_unknown,
    is_unknown,
)
from .apply_compute import ComputeAppliers
from .apply_routing import RoutingAppliers
from .apply_storage import StorageAppliers
from .site import Site

__all__ = ["Applied", "Applier", "Deployment", "autoname", "contains_unknown", "is_unknown"]


_ARN_PROPS = {"replicateSourceDb", "kmsKeyId", "kmsMasterKeyId", "role", "arn", "topic",
              "endpoint", "targetKeyId", "sourceArn", "policyArn", "deadLetterConfig"}
_NAME_PROPS = {"rule", "bucket", "functionName", "function", "eventBusName", "cloudwatchAlarmName",
               "name", "dbInstanceIdentifier", "alarmName", "queue"}


def _reference(prop: str) -> bool:
    """Is ``prop`` a reference to another resource (an ARN, id or name), which the applier
    can fill in from what it created? Documents built from outputs (policies) are not."""
    return (prop in _ARN_PROPS or prop in _NAME_PROPS
            or prop.endswith(("Arn", "Arns", "Id", "Ids", "Actions", "Healthchecks")))


#: A property whose name names a kind of resource only takes a dependency of that kind.
_KIND_HINTS: tuple[tuple[str, str], ...] = (
    ("kms", "aws:kms/"), ("secret", "aws:secretsmanager/"), ("role", "aws:iam/role:"),
    ("topic", "aws:sns/topic:"), ("healthcheck", "aws:route53/healthCheck:"),
    ("bucket", "aws:s3/bucket"), ("zone", "aws:route53/zone:"),
)


def _fits(prop: str, dep: Applied) -> bool:
    lowered = prop.lower()
    return all(dep.type.startswith(kind) for hint, kind in _KIND_HINTS if hint in lowered)


def _attr_for(prop: str, dep: Applied) -> str:
    if prop in _NAME_PROPS:
        return dep.physical_name or dep.id
    if prop in _ARN_PROPS or prop.lower().endswith(("arn", "arns", "actions")):
        return dep.arn or dep.id
    return dep.id


class Applier(StorageAppliers, RoutingAppliers, ComputeAppliers):
    """Creates planned resources in the emulator (see the module docstring)."""

    def __init__(self, client: ClientFactory, site: Site, *,
                 env_substitute: Callable[[str, str], str | None] | None = None,
                 primary_region: str, standby_region: str) -> None:
        self.client = client
        self.site = site
        self.env_substitute = env_substitute or (lambda _k, _v: None)
        self.primary_region = primary_region
        self.standby_region = standby_region
        self.deployment = Deployment()
        self._handlers: dict[str, Callable[[Any, dict[str, Any], str], Applied]] = {
            "aws:kms/key:Key": self._kms_key,
            "aws:kms/alias:Alias": self._kms_alias,
            "aws:rds/instance:Instance": self._rds_instance,
            "aws:dynamodb/table:Table": self._dynamodb_table,
            "aws:sns/topic:Topic": self._sns_topic,
            "aws:sns/topicSubscription:TopicSubscription": self._sns_subscription,
            "aws:s3/bucket:Bucket": self._s3_bucket,
            "aws:s3/bucketV2:BucketV2": self._s3_bucket,
            "aws:s3/bucketVersioning:BucketVersioning": self._s3_versioning,
            "aws:s3/bucketVersioningV2:BucketVersioningV2": self._s3_versioning,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": self._s3_public_access_block,
            "aws:cloudwatch/metricAlarm:MetricAlarm": self._metric_alarm,
            "aws:route53/healthCheck:HealthCheck": self._health_check,
            "aws:route53/record:Record": self._record,
            "aws:cloudwatch/eventBus:EventBus": self._event_bus,
            "aws:cloudwatch/eventRule:EventRule": self._event_rule,
            "aws:cloudwatch/eventTarget:EventTarget": self._event_target,
            "aws:iam/role:Role": self._iam_role,
            "aws:iam/rolePolicy:RolePolicy": self._iam_role_policy,
            "aws:lambda/function:Function": self._lambda_function,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:sqs/queue:Queue": self._sqs_queue,
            "aws:dms/replicationInstance:ReplicationInstance": self._dms_instance,
            "aws:dms/endpoint:Endpoint": self._dms_endpoint,
            "aws:dms/replicationTask:ReplicationTask": self._dms_task,
            "aws:s3/bucketServerSideEncryptionConfiguration:"
            "BucketServerSideEncryptionConfiguration": self._s3_encryption,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": self._s3_lifecycle,
            "aws:s3/bucketPolicy:BucketPolicy": self._s3_policy,
            "aws:cloudwatch/dashboard:Dashboard": self._dashboard,
            "aws:lambda/permission:Permission": self._lambda_permission,
        }

    # -- driver -----------------------------------------------------------------------------
    def apply(self, resources: list[Any]) -> Deployment:
        """Apply every custom resource of the plan, in order. Never raises for one resource:
        a failed create is recorded in ``failed`` with the error."""
        for r in resources:
            if not r.custom:
                continue  # component resources are Pulumi-only groupings
            if r.type.startswith("pulumi:providers:"):
                continue  # providers carry the Region (already in PlannedResource.region)
            handler = self._handlers.get(r.type)
            if handler is None:
                self.deployment.skipped.append(
                    {"urn": r.urn, "type": r.type,
                     "reason": "not needed by the drill: no applier for this type"})
                continue
            region = r.region or self.primary_region
            started = time.perf_counter()
            try:
                inputs = self._resolve_inputs(r)
                applied = handler(r, inputs, region)
            except Skip as s:
                self.deployment.skipped.append({"urn": r.urn, "type": r.type, "reason": str(s)})
                continue
            except Exception as e:  # noqa: BLE001 - recorded and reported, never hidden
                self.deployment.failed.append({"urn": r.urn, "type": r.type,
                                               "error": f"{type(e).__name__}: {e}"})
                continue
            finally:
                took = time.perf_counter() - started
                self.deployment.seconds_by_type[r.type] = round(
                    self.deployment.seconds_by_type.get(r.type, 0.0) + took, 4)
            self.deployment.applied[r.urn] = applied
        return self.deployment

    # -- unknowns ---------------------------------------------------------------------------
    def _resolve_inputs(self, r: Any) -> dict[str, Any]:
        inputs = json.loads(json.dumps(r.inputs or {}))
        for prop, value in list(inputs.items()):
            if not contains_unknown(value) or not _reference(prop):
                continue
            deps = [self.deployment.applied[u] for u in (r.property_dependencies or {}).get(prop, [])
                    if u in self.deployment.applied and _fits(prop, self.deployment.applied[u])]
            if not deps:
                continue  # left unknown; the type's applier decides (env vars, policies)
            if is_unknown(value):
                new: Any = _attr_for(prop, deps[0])
            elif isinstance(value, list):
                it = iter(deps)
                new = [(_attr_for(prop, next(it, deps[-1])) if is_unknown(x) else x) for x in value]
            else:
                continue
            inputs[prop] = new
            self.deployment.resolved.append(
                {"urn": r.urn, "property": prop, "value": json.dumps(new),
                 "from": ", ".join(d.urn for d in deps)})
        return inputs
