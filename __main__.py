"""ecommerce-dr: two-Region disaster recovery for an existing e-commerce site on AWS.

Thin on purpose: validate the stack config (before any resource is declared), build the
components, export the outputs contract. Data flows one way: stack config -> DrSettings ->
components -> resources and outputs.

The stack outputs are a contract other stacks read through StackReference: their names,
types and meanings are :data:`contract.outputs.OUTPUTS`, and this program exports exactly
those (``check_exports`` stops it otherwise).
"""

import json
import math

import pulumi

from components.alerts import AlertTopics, AlertTopicsArgs
from components.backup_orchestrator import BackupOrchestrator, BackupOrchestratorArgs
from components.budgets import planned_rpo, planned_rto
from components.common import create_providers, naming
from components.cost_estimate import DeclaredResources, estimated_monthly_cost_usd
from components.database import StandbyDatabase, StandbyDatabaseArgs
from components.failover_dns import FailoverDns, FailoverDnsArgs
from components.failover_orchestrator import FailoverOrchestrator, FailoverOrchestratorArgs
from components.monitoring import Monitoring, MonitoringArgs
from components.settings import load_settings
from components.write_switch import WriteSwitchArgs, WriteSwitchParameters
from contract.env import Env
from contract.outputs import OUTPUT_NAMES, check_exports

# Validate first: a bad config raises ConfigError (naming the key and what is allowed) and
# the program stops before any resource is declared.
settings = load_settings()

s = settings
# Every physical name derived from the stack name is checked against its AWS rule here, also
# before any resource (the providers included) is declared.
names = naming(s)
rto, rpo = planned_rto(s), planned_rpo(s)
for estimate in (rto, rpo):
    if not estimate.met:
        # Not an error: targets are the business's call; the policy pack enforces them.
        pulumi.log.warn(estimate.breakdown())
# Observe every resource from the first one on, so the stack can price what it declares.
declared = DeclaredResources.observe()
providers = create_providers(s)

alerts = AlertTopics("alerts", AlertTopicsArgs(s, providers, names))
dns = FailoverDns("failover-dns", FailoverDnsArgs(s, providers, names, alerts.topic_arns))
database = StandbyDatabase("standby-database",
                           StandbyDatabaseArgs(s, providers, names, alerts.topic_arns))
write_switch = WriteSwitchParameters("write-switch", WriteSwitchArgs(s, providers, names))

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
    reverse_replica_identifier=database.reverse_replica_identifier,
    extra_statements=write_switch.statements,
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

outputs = {
    "failoverFqdn": s.site.failover_fqdn,
    "primaryRegion": s.primary_region,
    "standbyRegion": s.standby_region,
    "databaseStrategy": s.database.strategy,
    "standbyDatabaseEndpoint": database.endpoint,
    "standbyDatabaseIdentifier": database.identifier,
    "globalWriterEndpoint": database.global_writer_endpoint,
    "alertTopicArns": alerts.topic_arns,
    "metadataBucketName": backup.bucket_name,
    "failoverOrchestratorArn": failover.function_arn,
    "backupOrchestratorArn": backup.function_arn,
    "failoverStateTableName": failover.state_table_name,
    "failoverGateAlarmName": dns.gate_alarm_name,
    "healthAlarmName": dns.health_alarm_name,
    "rtoBudgetSeconds": s.rto_seconds,
    "rpoBudgetSeconds": s.rpo_seconds,
    "plannedRtoSeconds": math.ceil(rto.total_seconds),
    "plannedRpoSeconds": math.ceil(rpo.total_seconds),
    "dashboardNames": monitoring.dashboard_names,
    "estimatedMonthlyCostUsd": estimated_monthly_cost_usd(declared),
}
check_exports(outputs)
for output_name in OUTPUT_NAMES:
    pulumi.export(output_name, outputs[output_name])
