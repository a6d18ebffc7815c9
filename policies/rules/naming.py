"""Physical-name rules: every name a planned resource is given is valid in its service.

The program checks the names it derives from the stack name before it declares anything
(:mod:`components.naming`); this rule catches names that reach a plan anyway (another program,
a hand-edited plan, a name built from a new input). The rules themselves, with their AWS
pages, are :mod:`contract.identifiers` (``NameRule``). A name that is not given is left to the
provider's auto-naming; a name unknown during preview makes the rule not applicable, naming
the input.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Policy, ReportViolation, ResourceValidationArgs

from contract import identifiers as ids
from contract.identifiers import NameRule
from policies import resource_types as t
from policies.rules.common import Unknown, value
from policies.rules.declare import resource_rule

#: Resource type -> the inputs that hold a physical name, and the rule each follows.
NAMED_INPUTS: dict[str, tuple[tuple[str, NameRule], ...]] = {
    **{b: (("bucket", ids.S3_BUCKET),) for b in t.BUCKETS},
    t.EVENT_RULE: (("name", ids.EVENTBRIDGE_RULE),),
    t.EVENT_BUS: (("name", ids.EVENTBRIDGE_BUS),),
    t.FUNCTION: (("name", ids.LAMBDA_FUNCTION),),
    t.DYNAMODB_TABLE: (("name", ids.DYNAMODB_TABLE),),
    t.METRIC_ALARM: (("name", ids.CLOUDWATCH_ALARM),),
    t.DASHBOARD: (("dashboardName", ids.CLOUDWATCH_DASHBOARD),),
    t.LOG_GROUP: (("name", ids.LOG_GROUP),),
    t.TOPIC: (("name", ids.SNS_TOPIC),),
    t.SSM_PARAMETER: (("name", ids.SSM_PARAMETER),),
    t.KMS_ALIAS: (("name", ids.KMS_ALIAS),),
    t.ROLE: (("name", ids.IAM_ROLE),),
    t.RDS_INSTANCE: (("identifier", ids.RDS_DB_INSTANCE),
                     ("finalSnapshotIdentifier", ids.RDS_DB_SNAPSHOT)),
    t.RDS_GLOBAL_CLUSTER: (("globalClusterIdentifier", ids.RDS_GLOBAL_CLUSTER),),
    t.RDS_CLUSTER: (("clusterIdentifier", ids.RDS_DB_CLUSTER),
                    ("finalSnapshotIdentifier", ids.RDS_DB_CLUSTER_SNAPSHOT)),
    t.RDS_CLUSTER_INSTANCE: (("identifier", ids.RDS_DB_INSTANCE),),
    t.RDS_CLUSTER_PARAMETER_GROUP: (("name", ids.RDS_CLUSTER_PARAMETER_GROUP),),
    t.DMS_REPLICATION_INSTANCE: (("replicationInstanceId", ids.DMS_REPLICATION_INSTANCE),),
    t.DMS_ENDPOINT: (("endpointId", ids.DMS_ENDPOINT),),
    t.DMS_REPLICATION_TASK: (("replicationTaskId", ids.DMS_REPLICATION_TASK),
                             ("resourceIdentifier", ids.DMS_RESOURCE_IDENTIFIER)),
    t.RECORD: (("setIdentifier", ids.ROUTE53_SET_IDENTIFIER),),
    t.HEALTH_CHECK: (("referenceName", ids.ROUTE53_HEALTH_CHECK_REFERENCE),),
}


@resource_rule("aws-physical-name-valid", list(NAMED_INPUTS),
               "Checks whether the physical names given to resources (buckets, functions, rules, "
               "alarms, topics, aliases, tables, identifiers) are valid in their AWS service.")
def physical_names_valid(args: ResourceValidationArgs, report: ReportViolation, cfg: dict[str, Any]) -> None:
    """``aws-physical-name-valid``: each given physical name follows its service's rule."""
    unknown: list[str] = []
    for prop, rule in NAMED_INPUTS[args.resource_type]:
        try:
            name = value(args.props, prop)
        except Unknown as e:
            unknown.append(e.path)
            continue
        if not isinstance(name, str) or not name:
            continue
        for problem in rule.problems(name):
            report(f"{rule.service} name {name!r} ({prop}) {problem}; {rule.service} names: "
                   f"{rule.describe()} ({rule.source}).")
    if unknown:
        # After the known names are reported: an unknown one decides nothing.
        args.not_applicable(f"{', '.join(unknown)} can't be known during preview")


def policies() -> list[Policy]:
    return [physical_names_valid()]
