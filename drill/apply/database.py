"""Apply functions for RDS instances (primary-style or cross-Region read replicas), DynamoDB
tables and DMS replication instances, endpoints and tasks."""

from __future__ import annotations

import json
from typing import Any

from drill.apply.common import Applied, ApplyContext, ApplyFn, Skip, applied, dependency
from drill.apply.inputs import aws_tags, known, name_of
from engine.plan import PlannedResource


def rds_instance(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateDBInstance, or CreateDBInstanceReadReplica when ``replicateSourceDb`` is set
    (storage in GiB, retention in days)."""
    rds = ctx.client("rds", region)
    ident = name_of(r, i, "identifier", lower=True)
    kw: dict[str, Any] = {"DBInstanceIdentifier": ident, "Tags": aws_tags(i),
                          "DBInstanceClass": known(i, "instanceClass", "db.r6g.large")}
    if known(i, "kmsKeyId"):
        kw["KmsKeyId"] = i["kmsKeyId"]
    source = known(i, "replicateSourceDb")
    if source:
        rds.create_db_instance_read_replica(SourceDBInstanceIdentifier=source, **kw)
    else:
        rds.create_db_instance(
            Engine=known(i, "engine", "postgres"),
            AllocatedStorage=int(known(i, "allocatedStorage", 100)),
            StorageEncrypted=bool(known(i, "storageEncrypted", True)),
            MasterUsername=known(i, "username", "shop"), **_master_password(i),
            BackupRetentionPeriod=int(known(i, "backupRetentionPeriod", 7)), **kw)
    db = rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]
    return applied(r, i, region, id=ident, arn=db["DBInstanceArn"], physical_name=ident)


def _master_password(i: dict[str, Any]) -> dict[str, Any]:
    """The master password: managed by RDS in Secrets Manager when planned so (under the
    planned key), else a drill-only one."""
    if not known(i, "manageMasterUserPassword", False):
        return {"MasterUserPassword": "drill-only-password"}
    key = known(i, "masterUserSecretKmsKeyId")
    return {"ManageMasterUserPassword": True, **({"MasterUserSecretKmsKeyId": key} if key else {})}


def dynamodb_table(r: PlannedResource, i: dict[str, Any], region: str,
                   ctx: ApplyContext) -> Applied:
    """CreateTable (on demand unless provisioned) and its TTL setting."""
    ddb = ctx.client("dynamodb", region)
    name = name_of(r, i)
    keys = [{"AttributeName": i["hashKey"], "KeyType": "HASH"}]
    if known(i, "rangeKey"):
        keys.append({"AttributeName": i["rangeKey"], "KeyType": "RANGE"})
    attrs = [{"AttributeName": a["name"], "AttributeType": a["type"]}
             for a in known(i, "attributes", [])]
    kw: dict[str, Any] = {"TableName": name, "KeySchema": keys, "AttributeDefinitions": attrs,
                          "Tags": aws_tags(i)}
    if known(i, "billingMode", "PAY_PER_REQUEST") == "PAY_PER_REQUEST":
        kw["BillingMode"] = "PAY_PER_REQUEST"
    else:
        kw["ProvisionedThroughput"] = {"ReadCapacityUnits": int(i.get("readCapacity", 5)),
                                       "WriteCapacityUnits": int(i.get("writeCapacity", 5))}
    arn = ddb.create_table(**kw)["TableDescription"]["TableArn"]
    ttl = known(i, "ttl")
    if isinstance(ttl, dict) and ttl.get("enabled") and ttl.get("attributeName"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": ttl["attributeName"]})
    return applied(r, i, region, id=name, arn=arn, physical_name=name)


def dms_instance(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateReplicationInstance."""
    ident = name_of(r, i, "replicationInstanceId", lower=True)
    out = ctx.client("dms", region).create_replication_instance(
        ReplicationInstanceIdentifier=ident,
        ReplicationInstanceClass=known(i, "replicationInstanceClass", "dms.t3.medium"))
    arn = out["ReplicationInstance"]["ReplicationInstanceArn"]
    return applied(r, i, region, id=ident, arn=arn, physical_name=ident)


def endpoint_secret(r: PlannedResource, i: dict[str, Any], ctx: ApplyContext) -> str | None:
    """The Secrets Manager secret the endpoint reads its database's credentials from: the
    planned ``secretsManagerArn``, or (an output of the instance whose managed master secret
    it is, unknown until that instance exists) that instance's ``MasterUserSecret``."""
    if known(i, "secretsManagerArn"):
        return str(i["secretsManagerArn"])
    db = dependency(ctx, r, "secretsManagerArn", "aws:rds/instance:")
    if db is None:
        return None
    found = ctx.client("rds", db.region).describe_db_instances(
        DBInstanceIdentifier=db.id)["DBInstances"][0]
    secret = (found.get("MasterUserSecret") or {}).get("SecretArn")
    if secret:
        ctx.deployment.resolved.append({"urn": r.urn, "property": "secretsManagerArn",
                                        "value": secret, "from": db.urn})
    return secret


def dms_endpoint(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateEndpoint (source or target), naming its database by its secret
    (``PostgreSQLSettings.SecretsManagerSecretId``, :func:`endpoint_secret`) when it has one."""
    ident = name_of(r, i, "endpointId", lower=True)
    kw: dict[str, Any] = {}
    secret = endpoint_secret(r, i, ctx)
    if secret:
        settings = {"SecretsManagerSecretId": secret}
        if known(i, "secretsManagerAccessRoleArn"):
            settings["SecretsManagerAccessRoleArn"] = i["secretsManagerAccessRoleArn"]
        engine = str(known(i, "engineName", "postgres"))
        kw["MySQLSettings" if "mysql" in engine else "PostgreSQLSettings"] = settings
        i["secretsManagerArn"] = secret
    out = ctx.client("dms", region).create_endpoint(
        EndpointIdentifier=ident, EndpointType=i["endpointType"],
        EngineName=known(i, "engineName", "postgres"),
        DatabaseName=known(i, "databaseName", "") or "", **kw)
    arn = out["Endpoint"]["EndpointArn"]
    return applied(r, i, region, id=ident, arn=arn, physical_name=ident)


def dms_task(r: PlannedResource, i: dict[str, Any], region: str, ctx: ApplyContext) -> Applied:
    """CreateReplicationTask, started when planned so. Raises Skip when an endpoint or
    the instance is unknown."""
    ident = name_of(r, i, "replicationTaskId", lower=True)
    need = ("sourceEndpointArn", "targetEndpointArn", "replicationInstanceArn")
    if any(not known(i, k) for k in need):
        raise Skip(f"one of {need} unknown and not resolvable")
    dms = ctx.client("dms", region)
    task = dms.create_replication_task(
        ReplicationTaskIdentifier=ident, SourceEndpointArn=i["sourceEndpointArn"],
        TargetEndpointArn=i["targetEndpointArn"],
        ReplicationInstanceArn=i["replicationInstanceArn"],
        MigrationType=known(i, "migrationType", "full-load-and-cdc"),
        TableMappings=known(i, "tableMappings", json.dumps({"rules": []})))
    arn = task["ReplicationTask"]["ReplicationTaskArn"]
    if known(i, "startReplicationTask", False):
        dms.start_replication_task(ReplicationTaskArn=arn,
                                   StartReplicationTaskType="start-replication")
    return applied(r, i, region, id=ident, arn=arn, physical_name=ident)


APPLIERS: dict[str, ApplyFn] = {
    "aws:rds/instance:Instance": rds_instance,
    "aws:dynamodb/table:Table": dynamodb_table,
    "aws:dms/replicationInstance:ReplicationInstance": dms_instance,
    "aws:dms/endpoint:Endpoint": dms_endpoint,
    "aws:dms/replicationTask:ReplicationTask": dms_task,
}
