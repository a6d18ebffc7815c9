"""ecommerce-dr: two-Region disaster recovery for an existing e-commerce site on AWS.

Thin on purpose: validate the stack config (before any resource is declared), build the
components, export the outputs contract. Data flows one way: stack config -> DrSettings ->
components -> resources and outputs.

Stack outputs (a contract other stacks read through StackReference; pinned by
tests/program/test_outputs.py). Seconds are integers.

=========================  ==================  ==============================================
name                       type                meaning
=========================  ==================  ==============================================
failoverFqdn               str                 the shared name clients use (site.failoverFqdn)
primaryRegion              str                 Region code of the primary
standbyRegion              str                 Region code of the standby
databaseStrategy           str                 read-replica | dms | snapshot-restore
standbyDatabaseEndpoint    str | null          host:port of the running standby; null for
                                               snapshot-restore (pilot light)
standbyDatabaseIdentifier  str                 standby instance id (restore target for
                                               snapshot-restore)
alertTopicArns             {region: str}       SNS alert topic ARN per Region
metadataBucketName         str                 S3 bucket of recovery-point metadata (standby)
failoverOrchestratorArn    str                 failover Lambda ARN (standby Region)
backupOrchestratorArn      str                 backup Lambda ARN (standby Region)
failoverStateTableName     str                 DynamoDB state/lock table (standby Region)
failoverGateAlarmName      str                 gate alarm (standby Region); ALARM = traffic
                                               on the standby
healthAlarmName            str                 us-east-1 alarm on the primary health check
rtoBudgetSeconds           int                 RTO target (rtoMinutes x 60)
rpoBudgetSeconds           int                 RPO target (rpoMinutes x 60)
plannedRtoSeconds          int                 worst-case RTO of this config (rto_rpo.model)
plannedRpoSeconds          int                 worst-case RPO of this config (rto_rpo.model)
dashboardNames             {rto: str, rpo: str}  CloudWatch dashboards (standby Region)
=========================  ==================  ==============================================
"""

import json
import math

import pulumi

from components.alerts import AlertTopics, AlertTopicsArgs
from components.backup_orchestrator import BackupOrchestrator, BackupOrchestratorArgs
from components.budgets import planned_rpo, planned_rto
from components.common import create_providers, naming
from components.database import StandbyDatabase, StandbyDatabaseArgs
from components.failover_dns import FailoverDns, FailoverDnsArgs
from components.failover_orchestrator import FailoverOrchestrator, FailoverOrchestratorArgs
from components.monitoring import Monitoring, MonitoringArgs
from components.settings import load_settings
from rto_rpo.contract import Env

# Validate first: a bad config raises ConfigError (naming the key and what is allowed) and
# the program stops before any resource is declared.
settings = load_settings()

s = settings
rto, rpo = planned_rto(s), planned_rpo(s)
for estimate in (rto, rpo):
    if not estimate.met:
        # Not an error: targets are the business's call; the policy pack enforces them.
        pulumi.log.warn(estimate.breakdown())
providers = create_providers(s)
names = naming(s)

alerts = AlertTopics("alerts", AlertTopicsArgs(s, providers, names))
dns = FailoverDns("failover-dns", FailoverDnsArgs(s, providers, names, alerts.topic_arns))
database = StandbyDatabase("standby-database",
                           StandbyDatabaseArgs(s, providers, names, alerts.topic_arns))

common_env: dict[str, pulumi.Input[str]] = {
    Env.PRIMARY_REGION: s.primary_region,
    Env.STANDBY_REGION: s.standby_region,
    Env.STACK_NAME: pulumi.get_stack(),
    Env.DB_STRATEGY: s.database.strategy,
    Env.RPO_SECONDS: str(s.rpo_seconds),
    Env.ALERT_TOPIC_ARNS: json.dumps(alerts.known_topic_arns, sort_keys=True),
    Env.STANDBY_KMS_KEY_ARN: database.key_arn,
    Env.DMS_TASK_ARN: database.dms_task_arn,
}

failover = FailoverOrchestrator("failover", FailoverOrchestratorArgs(
    settings=s, providers=providers, naming=names, common_env=common_env,
    health_alarm_name=dns.health_alarm_name, health_alarm_arn=dns.health_alarm_arn,
    gate_alarm_name=dns.gate_alarm_name, gate_alarm_arn=dns.gate_alarm_arn,
    database_statements=database.failover_statements, standby_key_arn=database.key_arn,
    standby_key_alias=database.key_alias, alert_topic_arns=alerts.topic_arns,
    alert_key_aliases=alerts.key_aliases))

backup = BackupOrchestrator("backup", BackupOrchestratorArgs(
    settings=s, providers=providers, naming=names, common_env=common_env,
    standby_key_arn=database.key_arn, database_statements=database.backup_statements,
    standby_key_alias=database.key_alias, alert_topic_arns=alerts.topic_arns,
    alert_key_aliases=alerts.key_aliases))

monitoring = Monitoring("monitoring", MonitoringArgs(
    settings=s, providers=providers, naming=names, alert_topic_arns=alerts.topic_arns,
    endpoint_health_check_id=dns.endpoint_health_check_id,
    replication_alarm_metrics=database.replication_alarm_metrics,
    planned_rto_seconds=rto.total_seconds, planned_rpo_seconds=rpo.total_seconds))

pulumi.export("failoverFqdn", s.site.failover_fqdn)
pulumi.export("primaryRegion", s.primary_region)
pulumi.export("standbyRegion", s.standby_region)
pulumi.export("databaseStrategy", s.database.strategy)
pulumi.export("standbyDatabaseEndpoint", database.endpoint)
pulumi.export("standbyDatabaseIdentifier", database.identifier)
pulumi.export("alertTopicArns", alerts.topic_arns)
pulumi.export("metadataBucketName", backup.bucket_name)
pulumi.export("failoverOrchestratorArn", failover.function_arn)
pulumi.export("backupOrchestratorArn", backup.function_arn)
pulumi.export("failoverStateTableName", failover.state_table_name)
pulumi.export("failoverGateAlarmName", dns.gate_alarm_name)
pulumi.export("healthAlarmName", dns.health_alarm_name)
pulumi.export("rtoBudgetSeconds", s.rto_seconds)
pulumi.export("rpoBudgetSeconds", s.rpo_seconds)
pulumi.export("plannedRtoSeconds", math.ceil(rto.total_seconds))
pulumi.export("plannedRpoSeconds", math.ceil(rpo.total_seconds))
pulumi.export("dashboardNames", monitoring.dashboard_names)
