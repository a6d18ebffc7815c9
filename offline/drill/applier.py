"""Deploy a plan recorded under Pulumi mocks into the emulator: what ``pulumi up`` would create.

Each planned custom resource is mapped to the boto3 call(s) the AWS provider would make for
it, in the plan's registration order (a resource is registered after everything it depends
on). Inputs that were unknown under mocks (the sentinel
``pulumi.runtime.rpc.UNKNOWN``) are resolved from what the applier already created:

* generically, through the resource's ``property_dependencies`` (an ``...Arn``/``role``/
  ``kmsKeyId`` property takes the dependency's ARN, an ``...Id`` its id, a ``rule``/``bucket``
  its name); every resolution is recorded in :attr:`Deployment.resolved`;
* for the orchestrators' environment variables (``rto_rpo.contract.Env``), from the resources
  holding the matching ``dr:role`` tag (the state table's name, the alert topics' ARNs, ...).

Resource types the drill does not need are named in :attr:`Deployment.skipped` with the
reason; nothing is dropped silently. Physical names the provider would auto-generate are
``<logical name>-<7 hex>``, as Pulumi's autonaming does.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.rpc import UNKNOWN

from rto_rpo.contract import ROLE_TAG, Env, Role

from .site import Site

ClientFactory = Callable[[str, str], Any]


@dataclass
class Applied:
    """A planned resource as created in the emulator."""

    urn: str
    type: str
    name: str            # logical name
    region: str
    role: str | None
    id: str
    arn: str = ""
    physical_name: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)   # inputs after resolution


@dataclass
class Deployment:
    """Everything the applier did."""

    applied: dict[str, Applied] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    resolved: list[dict[str, str]] = field(default_factory=list)
    substituted: list[dict[str, str]] = field(default_factory=list)
    seconds_by_type: dict[str, float] = field(default_factory=dict)

    def by_role(self, role: Role | str) -> list[Applied]:
        return [a for a in self.applied.values() if a.role == str(role)]

    def one(self, role: Role | str, region: str | None = None) -> Applied:
        """The single applied resource with ``role`` (in ``region``).

        Raises:
            LookupError: none, or more than one, was applied.
        """
        found = [a for a in self.by_role(role) if region is None or a.region == region]
        if len(found) != 1:
            raise LookupError(f"expected one applied resource with {ROLE_TAG}={role}"
                              f"{' in ' + region if region else ''}, found {len(found)}")
        return found[0]

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for a in self.applied.values():
            counts[a.type] = counts.get(a.type, 0) + 1
        return {"applied": len(self.applied), "applied_by_type": dict(sorted(counts.items())),
                "skipped": self.skipped, "failed": self.failed, "resolved": self.resolved,
                "substituted": self.substituted, "seconds_by_type": self.seconds_by_type}


def autoname(logical: str, urn: str, *, lower: bool = False, max_len: int = 63) -> str:
    """``<logical>-<7 hex>`` like Pulumi autonaming (deterministic here: hashed from the URN)."""
    name = f"{logical[: max_len - 8]}-{hashlib.sha1(urn.encode()).hexdigest()[:7]}"
    return name.lower() if lower else name


def is_unknown(v: Any) -> bool:
    return v == UNKNOWN


def contains_unknown(v: Any) -> bool:
    """True if ``v`` is unknown or holds an unknown anywhere, including inside a string
    (a JSON document built with ``Output.json_dumps`` over unknown values)."""
    if isinstance(v, str):
        return UNKNOWN in v
    if isinstance(v, dict):
        return any(contains_unknown(x) for x in v.values())
    if isinstance(v, list):
        return any(contains_unknown(x) for x in v)
    return False


def _tags(inputs: dict[str, Any]) -> dict[str, str]:
    t = inputs.get("tags")
    return {str(k): str(v) for k, v in t.items() if not is_unknown(v)} if isinstance(t, dict) else {}


def _kv(tags: dict[str, str], k: str = "Key", v: str = "Value") -> list[dict[str, str]]:
    return [{k: key, v: val} for key, val in tags.items()]


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


class Applier:
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
            except _Skip as s:
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

    def _known(self, inputs: dict[str, Any], key: str, default: Any = None) -> Any:
        v = inputs.get(key, default)
        return default if contains_unknown(v) else v

    def _name(self, r: Any, inputs: dict[str, Any], key: str = "name", **kw: Any) -> str:
        v = self._known(inputs, key)
        return str(v) if v else autoname(r.name, r.urn, **kw)

    def _applied(self, r: Any, inputs: dict[str, Any], region: str, *, id: str, arn: str = "",
                 physical_name: str = "") -> Applied:
        return Applied(urn=r.urn, type=r.type, name=r.name, region=region,
                       role=_tags(inputs).get(ROLE_TAG), id=id, arn=arn,
                       physical_name=physical_name or id, inputs=inputs)

    # -- KMS, RDS, DynamoDB -----------------------------------------------------------------
    def _kms_key(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        kms = self.client("kms", region)
        meta = kms.create_key(Description=self._known(i, "description", r.name),
                              Tags=_kv(_tags(i), "TagKey", "TagValue"))["KeyMetadata"]
        if self._known(i, "enableKeyRotation"):
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        return self._applied(r, i, region, id=meta["KeyId"], arn=meta["Arn"])

    def _kms_alias(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        target = self._known(i, "targetKeyId")
        if not target:
            raise _Skip("targetKeyId unknown and not resolvable")
        self.client("kms", region).create_alias(AliasName=name, TargetKeyId=target)
        return self._applied(r, i, region, id=name, arn="", physical_name=name)

    def _rds_instance(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        rds = self.client("rds", region)
        ident = self._name(r, i, "identifier", lower=True)
        tags = _kv(_tags(i))
        source = self._known(i, "replicateSourceDb")
        if source:
            kw: dict[str, Any] = {"DBInstanceIdentifier": ident, "SourceDBInstanceIdentifier": source,
                                  "DBInstanceClass": self._known(i, "instanceClass", "db.r6g.large"),
                                  "Tags": tags}
            if self._known(i, "kmsKeyId"):
                kw["KmsKeyId"] = i["kmsKeyId"]
            rds.create_db_instance_read_replica(**kw)
        else:
            kw = {"DBInstanceIdentifier": ident,
                  "DBInstanceClass": self._known(i, "instanceClass", "db.r6g.large"),
                  "Engine": self._known(i, "engine", "postgres"),
                  "AllocatedStorage": int(self._known(i, "allocatedStorage", 100)),
                  "StorageEncrypted": bool(self._known(i, "storageEncrypted", True)),
                  "MasterUsername": self._known(i, "username", "shop"),
                  "MasterUserPassword": "drill-only-password",
                  "BackupRetentionPeriod": int(self._known(i, "backupRetentionPeriod", 7)),
                  "Tags": tags}
            if self._known(i, "kmsKeyId"):
                kw["KmsKeyId"] = i["kmsKeyId"]
            rds.create_db_instance(**kw)
        db = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
        return self._applied(r, i, region, id=ident, arn=db["DBInstanceArn"], physical_name=ident)

    def _dynamodb_table(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        ddb = self.client("dynamodb", region)
        name = self._name(r, i)
        keys = [{"AttributeName": i["hashKey"], "KeyType": "HASH"}]
        if self._known(i, "rangeKey"):
            keys.append({"AttributeName": i["rangeKey"], "KeyType": "RANGE"})
        attrs = [{"AttributeName": a["name"], "AttributeType": a["type"]}
                 for a in self._known(i, "attributes", [])]
        kw: dict[str, Any] = {"TableName": name, "KeySchema": keys, "AttributeDefinitions": attrs,
                              "Tags": _kv(_tags(i))}
        if self._known(i, "billingMode", "PAY_PER_REQUEST") == "PAY_PER_REQUEST":
            kw["BillingMode"] = "PAY_PER_REQUEST"
        else:
            kw["ProvisionedThroughput"] = {"ReadCapacityUnits": int(i.get("readCapacity", 5)),
                                           "WriteCapacityUnits": int(i.get("writeCapacity", 5))}
        arn = ddb.create_table(**kw)["TableDescription"]["TableArn"]
        ttl = self._known(i, "ttl")
        if isinstance(ttl, dict) and ttl.get("enabled") and ttl.get("attributeName"):
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl["attributeName"]})
        return self._applied(r, i, region, id=name, arn=arn, physical_name=name)

    # -- SNS, SQS, S3, logs -----------------------------------------------------------------
    def _sns_topic(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        arn = self.client("sns", region).create_topic(
            Name=name, Tags=_kv(_tags(i)))["TopicArn"]
        return self._applied(r, i, region, id=arn, arn=arn, physical_name=name)

    def _sns_subscription(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        topic, endpoint = self._known(i, "topic"), self._known(i, "endpoint")
        if not topic or not endpoint:
            raise _Skip("topic or endpoint unknown and not resolvable")
        arn = self.client("sns", region).subscribe(
            TopicArn=topic, Protocol=i["protocol"], Endpoint=endpoint)["SubscriptionArn"]
        return self._applied(r, i, region, id=arn, arn=arn)

    def _sqs_queue(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        sqs = self.client("sqs", region)
        name = self._name(r, i)
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"]
                                       )["Attributes"]["QueueArn"]
        return self._applied(r, i, region, id=url, arn=arn, physical_name=name)

    def _s3_bucket(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        s3 = self.client("s3", region)
        name = self._name(r, i, "bucket", lower=True)
        kw: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            kw["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kw)
        if _tags(i):
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _kv(_tags(i))})
        return self._applied(r, i, region, id=name, arn=f"arn:aws:s3:::{name}", physical_name=name)

    def _s3_versioning(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket = self._known(i, "bucket")
        cfg = self._known(i, "versioningConfiguration", {})
        if not bucket:
            raise _Skip("bucket unknown and not resolvable")
        self.client("s3", region).put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": cfg.get("status", "Enabled")})
        return self._applied(r, i, region, id=bucket)

    def _s3_public_access_block(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket = self._known(i, "bucket")
        if not bucket:
            raise _Skip("bucket unknown and not resolvable")
        self.client("s3", region).put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration={
                k[0].upper() + k[1:]: bool(self._known(i, k, False))
                for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                          "restrictPublicBuckets")})
        return self._applied(r, i, region, id=bucket)

    def _dep(self, r: Any, prop: str, kind: str) -> Applied | None:
        """The applied dependency of ``prop`` whose type starts with ``kind``."""
        for urn in (r.property_dependencies or {}).get(prop, []):
            a = self.deployment.applied.get(urn)
            if a is not None and a.type.startswith(kind):
                return a
        return None

    def _s3_encryption(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket = self._known(i, "bucket")
        if not bucket:
            raise _Skip("bucket unknown and not resolvable")
        rules = []
        for rule in i.get("rules") or []:
            default = dict(rule.get("applyServerSideEncryptionByDefault") or {})
            key = default.get("kmsMasterKeyId")
            if is_unknown(key):
                dep = self._dep(r, "rules", "aws:kms/key:")
                if dep is None:
                    raise _Skip("KMS key of the encryption rule unknown and not resolvable")
                key = dep.arn
            sse: dict[str, Any] = {"SSEAlgorithm": default.get("sseAlgorithm", "aws:kms")}
            if key:
                sse["KMSMasterKeyID"] = key
            rules.append({"ApplyServerSideEncryptionByDefault": sse,
                          "BucketKeyEnabled": bool(rule.get("bucketKeyEnabled"))})
        self.client("s3", region).put_bucket_encryption(
            Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})
        return self._applied(r, i, region, id=bucket)

    def _s3_lifecycle(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket, rules = self._known(i, "bucket"), self._known(i, "rules")
        if not bucket or not rules:
            raise _Skip("bucket or rules unknown and not resolvable")
        self.client("s3", region).put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": [
                {"Filter": {}, **_pascal(rule)} for rule in rules]})
        return self._applied(r, i, region, id=bucket)

    def _s3_policy(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        bucket, policy = self._known(i, "bucket"), self._known(i, "policy")
        if not bucket or not policy:
            raise _Skip("policy document built from ARNs unknown under mocks; bucket policies "
                        "are not enforced by the emulator")
        self.client("s3", region).put_bucket_policy(
            Bucket=bucket, Policy=policy if isinstance(policy, str) else json.dumps(policy))
        return self._applied(r, i, region, id=bucket)

    def _dashboard(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name, body = self._known(i, "dashboardName"), self._known(i, "dashboardBody")
        if not name or not body:
            raise _Skip("dashboard body built from outputs unknown under mocks")
        self.client("cloudwatch", region).put_dashboard(DashboardName=name, DashboardBody=body)
        return self._applied(r, i, region, id=name, physical_name=name)

    def _lambda_permission(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        fn = self._known(i, "function")
        if not fn:
            raise _Skip("function unknown and not resolvable")
        sid = self._known(i, "statementId") or autoname(r.name, r.urn)
        kw: dict[str, Any] = {"FunctionName": fn, "StatementId": sid,
                              "Action": i.get("action", "lambda:InvokeFunction"),
                              "Principal": i["principal"]}
        if self._known(i, "sourceArn"):
            kw["SourceArn"] = i["sourceArn"]
        self.client("lambda", region).add_permission(**kw)
        return self._applied(r, i, region, id=f"{fn}/{sid}")

    def _log_group(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        self.client("logs", region).create_log_group(logGroupName=name)
        return self._applied(r, i, region, id=name, physical_name=name)

    # -- CloudWatch, Route 53, EventBridge --------------------------------------------------
    def _metric_alarm(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        if self._known(i, "metricQueries"):
            raise _Skip("metric-math alarms are not evaluated by the drill")
        name = self._name(r, i)
        kw: dict[str, Any] = {
            "AlarmName": name, "Namespace": i["namespace"], "MetricName": i["metricName"],
            "Dimensions": [{"Name": k, "Value": str(v)}
                           for k, v in (self._known(i, "dimensions", {}) or {}).items()],
            "Period": int(i.get("period", 60)), "EvaluationPeriods": int(i["evaluationPeriods"]),
            "Threshold": float(i.get("threshold", 0)),
            "ComparisonOperator": i["comparisonOperator"],
            "TreatMissingData": self._known(i, "treatMissingData", "missing"),
            "ActionsEnabled": bool(self._known(i, "actionsEnabled", True)),
            "Tags": _kv(_tags(i)),
        }
        if self._known(i, "extendedStatistic"):
            kw["ExtendedStatistic"] = i["extendedStatistic"]
        else:
            kw["Statistic"] = self._known(i, "statistic", "Maximum")
        if self._known(i, "datapointsToAlarm"):
            kw["DatapointsToAlarm"] = int(i["datapointsToAlarm"])
        for prop, key in (("alarmActions", "AlarmActions"), ("okActions", "OKActions"),
                          ("insufficientDataActions", "InsufficientDataActions")):
            acts = [a for a in (i.get(prop) or []) if not is_unknown(a)]
            if acts:
                kw[key] = acts
        if self._known(i, "alarmDescription"):
            kw["AlarmDescription"] = i["alarmDescription"]
        cw = self.client("cloudwatch", region)
        cw.put_metric_alarm(**kw)
        arn = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]
        return self._applied(r, i, region, id=name, arn=arn, physical_name=name)

    def _health_check(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        # Route 53 is global; its control plane is in us-east-1.
        cfg: dict[str, Any] = {"Type": i["type"]}
        for prop, key, conv in (("fqdn", "FullyQualifiedDomainName", str), ("port", "Port", int),
                                ("resourcePath", "ResourcePath", str),
                                ("requestInterval", "RequestInterval", int),
                                ("failureThreshold", "FailureThreshold", int),
                                ("invertHealthcheck", "Inverted", bool),
                                ("enableSni", "EnableSNI", bool),
                                ("childHealthThreshold", "HealthThreshold", int),
                                ("insufficientDataHealthStatus", "InsufficientDataHealthStatus", str)):
            v = self._known(i, prop)
            if v is not None:
                cfg[key] = conv(v)
        if self._known(i, "cloudwatchAlarmName"):
            cfg["AlarmIdentifier"] = {"Region": i.get("cloudwatchAlarmRegion", region),
                                      "Name": i["cloudwatchAlarmName"]}
        if self._known(i, "childHealthchecks"):
            cfg["ChildHealthChecks"] = list(i["childHealthchecks"])
        r53 = self.client("route53", "us-east-1")
        hc = r53.create_health_check(CallerReference=autoname(r.name, r.urn),
                                     HealthCheckConfig=cfg)["HealthCheck"]
        if _tags(i):
            r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=hc["Id"],
                                         AddTags=_kv(_tags(i)))
        return self._applied(r, i, "us-east-1", id=hc["Id"],
                             arn=f"arn:aws:route53:::healthcheck/{hc['Id']}")

    def _record(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        zone = self._known(i, "zoneId")
        if zone == self.site.configured_zone_id:
            zone = self.site.hosted_zone_id
            self.deployment.substituted.append(
                {"urn": r.urn, "property": "zoneId",
                 "value": f"{self.site.configured_zone_id} -> {zone} (the emulator's id of the "
                          "site's existing zone)"})
        if not zone:
            raise _Skip("zoneId unknown and not resolvable")
        rrset: dict[str, Any] = {"Name": i["name"], "Type": i["type"]}
        if self._known(i, "ttl") is not None:
            rrset["TTL"] = int(i["ttl"])
        if self._known(i, "records"):
            rrset["ResourceRecords"] = [{"Value": v} for v in i["records"]]
        if self._known(i, "setIdentifier"):
            rrset["SetIdentifier"] = i["setIdentifier"]
        policies = self._known(i, "failoverRoutingPolicies") or []
        if policies:
            rrset["Failover"] = policies[0]["type"]
        if self._known(i, "healthCheckId"):
            rrset["HealthCheckId"] = i["healthCheckId"]
        aliases = self._known(i, "aliases") or []
        if aliases:
            a = aliases[0]
            rrset["AliasTarget"] = {"HostedZoneId": a["zoneId"], "DNSName": a["name"],
                                    "EvaluateTargetHealth": bool(a.get("evaluateTargetHealth"))}
        self.client("route53", "us-east-1").change_resource_record_sets(
            HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT",
                                                         "ResourceRecordSet": rrset}]})
        rid = f"{zone}_{i['name']}_{i['type']}_{rrset.get('SetIdentifier', '')}"
        return self._applied(r, i, "us-east-1", id=rid)

    def _event_bus(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        arn = self.client("events", region).create_event_bus(Name=name)["EventBusArn"]
        return self._applied(r, i, region, id=name, arn=arn, physical_name=name)

    def _event_rule(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        kw: dict[str, Any] = {"Name": name, "State": self._known(i, "state", "ENABLED")}
        for prop, key in (("scheduleExpression", "ScheduleExpression"),
                          ("eventPattern", "EventPattern"), ("eventBusName", "EventBusName"),
                          ("roleArn", "RoleArn"), ("description", "Description")):
            if self._known(i, prop):
                kw[key] = i[prop]
        if self._known(i, "isEnabled") is False:
            kw["State"] = "DISABLED"
        arn = self.client("events", region).put_rule(**kw)["RuleArn"]
        return self._applied(r, i, region, id=name, arn=arn, physical_name=name)

    def _event_target(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        rule, arn = self._known(i, "rule"), self._known(i, "arn")
        if not rule or not arn:
            raise _Skip("rule or target arn unknown and not resolvable")
        target: dict[str, Any] = {"Id": self._known(i, "targetId") or autoname(r.name, r.urn)[:64],
                                  "Arn": arn}
        for prop, key in (("roleArn", "RoleArn"), ("input", "Input")):
            if self._known(i, prop):
                target[key] = i[prop]
        kw: dict[str, Any] = {"Rule": rule, "Targets": [target]}
        if self._known(i, "eventBusName"):
            kw["EventBusName"] = i["eventBusName"]
        self.client("events", region).put_targets(**kw)
        return self._applied(r, i, region, id=f"{rule}-{target['Id']}", arn=arn)

    # -- IAM, Lambda, DMS -------------------------------------------------------------------
    def _iam_role(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        name = self._name(r, i)
        policy = self._known(i, "assumeRolePolicy") or json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]})
        arn = self.client("iam", "us-east-1").create_role(
            RoleName=name, AssumeRolePolicyDocument=policy if isinstance(policy, str)
            else json.dumps(policy))["Role"]["Arn"]
        return self._applied(r, i, "us-east-1", id=name, arn=arn, physical_name=name)

    def _iam_role_policy(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        role, policy = self._known(i, "role"), self._known(i, "policy")
        if not role or not policy:
            raise _Skip("role or policy document unknown under mocks (built from other "
                        "resources' ARNs); IAM is not enforced by the emulator")
        role_name = role.rsplit("/", 1)[-1]
        name = self._name(r, i)
        self.client("iam", "us-east-1").put_role_policy(
            RoleName=role_name, PolicyName=name,
            PolicyDocument=policy if isinstance(policy, str) else json.dumps(policy))
        return self._applied(r, i, "us-east-1", id=f"{role_name}:{name}")

    def _lambda_function(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        lam = self.client("lambda", region)
        name = self._name(r, i)
        role = self._known(i, "role")
        if not role:
            role = self.client("iam", "us-east-1").create_role(
                RoleName=f"{name}-drill"[:64], AssumeRolePolicyDocument=json.dumps({
                    "Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
            self.deployment.substituted.append(
                {"urn": r.urn, "property": "role",
                 "value": f"{role} (planned role not applied; the emulator needs one to exist)"})
        env = dict(((i.get("environment") or {}).get("variables")) or {})
        role_tag = _tags(i).get(ROLE_TAG)
        for key, value in list(env.items()):
            if is_unknown(value):
                env[key] = self._env_from_contract(r.urn, key)
        for key, value in list(env.items()):
            new = self.env_substitute(key, str(value))
            if new is not None:
                self.deployment.substituted.append(
                    {"urn": r.urn, "property": f"environment.variables.{key}",
                     "value": f"{value} -> {new}"})
                env[key] = new
        if layers := self._known(i, "layers"):
            self.deployment.skipped.append(
                {"urn": r.urn, "type": r.type,
                 "reason": f"layers {layers} not attached: the drill runs the handler in-process "
                           "with the venv's aws-lambda-powertools"})
        fn = lam.create_function(
            FunctionName=name, Runtime=self._known(i, "runtime", "python3.12"),
            Role=role, Handler=self._known(i, "handler", "app.handler"),
            Code={"ZipFile": _placeholder_zip()},
            Timeout=int(self._known(i, "timeout", 3)), MemorySize=int(self._known(i, "memorySize", 128)),
            Environment={"Variables": {k: str(v) for k, v in env.items()}},
            Tags=_tags(i))
        i = {**i, "environment": {"variables": env}}
        applied = self._applied(r, i, region, id=name, arn=fn["FunctionArn"], physical_name=name)
        applied.role = role_tag
        return applied

    def _env_from_contract(self, urn: str, key: str) -> str:
        """Rebuild an env var that was unknown under mocks from the resources that hold the
        matching role (the program builds these values from those resources' outputs)."""
        d = self.deployment
        try:
            value = _CONTRACT_RESOLVERS[key](self)
        except KeyError:
            raise _Skip(f"environment variable {key} unknown under mocks and the drill has no "
                        "rule to rebuild it") from None
        except LookupError as e:
            raise _Skip(f"environment variable {key}: {e}") from None
        d.resolved.append({"urn": urn, "property": f"environment.variables.{key}",
                           "value": value, "from": f"contract: {key}"})
        return value

    def _dms_instance(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        ident = self._name(r, i, "replicationInstanceId", lower=True)
        out = self.client("dms", region).create_replication_instance(
            ReplicationInstanceIdentifier=ident,
            ReplicationInstanceClass=self._known(i, "replicationInstanceClass", "dms.t3.medium"))
        arn = out["ReplicationInstance"]["ReplicationInstanceArn"]
        return self._applied(r, i, region, id=ident, arn=arn, physical_name=ident)

    def _dms_endpoint(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        ident = self._name(r, i, "endpointId", lower=True)
        out = self.client("dms", region).create_endpoint(
            EndpointIdentifier=ident, EndpointType=i["endpointType"],
            EngineName=self._known(i, "engineName", "postgres"))
        arn = out["Endpoint"]["EndpointArn"]
        return self._applied(r, i, region, id=ident, arn=arn, physical_name=ident)

    def _dms_task(self, r: Any, i: dict[str, Any], region: str) -> Applied:
        ident = self._name(r, i, "replicationTaskId", lower=True)
        need = ("sourceEndpointArn", "targetEndpointArn", "replicationInstanceArn")
        if any(not self._known(i, k) for k in need):
            raise _Skip(f"one of {need} unknown and not resolvable")
        dms = self.client("dms", region)
        task = dms.create_replication_task(
            ReplicationTaskIdentifier=ident, SourceEndpointArn=i["sourceEndpointArn"],
            TargetEndpointArn=i["targetEndpointArn"],
            ReplicationInstanceArn=i["replicationInstanceArn"],
            MigrationType=self._known(i, "migrationType", "full-load-and-cdc"),
            TableMappings=self._known(i, "tableMappings", json.dumps({"rules": []})))
        arn = task["ReplicationTask"]["ReplicationTaskArn"]
        if self._known(i, "startReplicationTask", False):
            dms.start_replication_task(ReplicationTaskArn=arn,
                                       StartReplicationTaskType="start-replication")
        return self._applied(r, i, region, id=ident, arn=arn, physical_name=ident)


class _Skip(Exception):  # noqa: N818 - control flow, carries the reason
    """A planned resource the applier cannot or need not create (reason in the message)."""


def _pascal(v: Any) -> Any:
    """Provider (camelCase) keys -> S3 API (PascalCase) keys, recursively; ``id`` -> ``ID``."""
    if isinstance(v, dict):
        return {("ID" if k == "id" else k[:1].upper() + k[1:]): _pascal(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_pascal(x) for x in v]
    return v


def _placeholder_zip() -> bytes:
    """The deployed package is a placeholder: the drill runs the real handler code in-process."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("README.txt", "placeholder: the DR drill runs handlers/ in-process\n")
    return buf.getvalue()


def _names(a: Applier, role: Role) -> Applied:
    return a.deployment.one(role)


_CONTRACT_RESOLVERS: dict[str, Callable[[Applier], str]] = {
    Env.STATE_TABLE_NAME: lambda a: _names(a, Role.STATE_TABLE).physical_name,
    Env.METADATA_BUCKET: lambda a: _names(a, Role.METADATA_BUCKET).physical_name,
    Env.STANDBY_KMS_KEY_ARN: lambda a: _names(a, Role.STANDBY_KMS_KEY).arn,
    Env.HEALTH_ALARM_NAME: lambda a: _names(a, Role.HEALTH_ALARM).physical_name,
    Env.GATE_ALARM_NAME: lambda a: _names(a, Role.GATE_ALARM).physical_name,
    Env.PRIMARY_DB_ARN: lambda a: a.site.primary_db_arn,
    Env.ALERT_TOPIC_ARNS: lambda a: json.dumps(
        {t.region: t.arn for t in a.deployment.by_role(Role.ALERT_TOPIC)}),
    Env.STANDBY_DB_IDENTIFIER: lambda a: _names(a, Role.STANDBY_DATABASE).physical_name,
    Env.DMS_TASK_ARN: lambda a: _only_type(a, "aws:dms/replicationTask:ReplicationTask").arn,
}


def _only_type(a: Applier, type_: str) -> Applied:
    found = [x for x in a.deployment.applied.values() if x.type == type_]
    if len(found) != 1:
        raise LookupError(f"expected one applied {type_}, found {len(found)}")
    return found[0]
