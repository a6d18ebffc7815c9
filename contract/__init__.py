"""The contracts every part of ecommerce-dr reads from one place.

* :mod:`contract.names` - tags, roles, metric names, the failover steps;
* :mod:`contract.identifiers` - AWS identifier and ARN rules (RDS, KMS, Regions);
* :mod:`contract.quantities` - each configured quantity's type, unit and range;
* :mod:`contract.env` - each orchestrator's environment, one typed model per function;
* :mod:`contract.strategies` - the database strategies and what each one implies;
* :mod:`contract.outputs` - the stack outputs other stacks read.

The program, the handlers, the policy pack and the tools import these; nothing here imports
Pulumi or boto3, so the Lambda bundle and the policy pack carry it as it is.
"""
