"""Appliers for IAM, Lambda (with env vars rebuilt from the name contract) and DMS."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from contract.env import Env
from contract.names import ROLE_TAG, Role

from .apply_common import (
    Applied,
    ApplierBase,
    Skip,
    is_unknown,
    placeholder_zip,
    tag_map,
)


class ComputeAppliers(ApplierBase):
    """Mixin of :class:`offline.drill.applier.Applier`."""

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
            raise Skip("role or policy document unknown under mocks (built from other "
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
        role_tag = tag_map(i).get(ROLE_TAG)
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
            Code={"ZipFile": placeholder_zip()},
            Timeout=int(self._known(i, "timeout", 3)), MemorySize=int(self._known(i, "memorySize", 128)),
            Environment={"Variables": {k: str(v) for k, v in env.items()}},
            Tags=tag_map(i))
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
            raise Skip(f"environment variable {key} unknown under mocks and the drill has no "
                       "rule to rebuild it") from None
        except LookupError as e:
            raise Skip(f"environment variable {key}: {e}") from None
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
            raise Skip(f"one of {need} unknown and not resolvable")
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


def _names(a: ApplierBase, role: Role) -> Applied:
    return a.deployment.one(role)


_CONTRACT_RESOLVERS: dict[str, Callable[[ApplierBase], str]] = {
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


def _only_type(a: ApplierBase, type_: str) -> Applied:
    found = [x for x in a.deployment.applied.values() if x.type == type_]
    if len(found) != 1:
        raise LookupError(f"expected one applied {type_}, found {len(found)}")
    return found[0]
