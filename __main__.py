"""ecommerce-dr: two-Region disaster recovery for an existing e-commerce site."""

import pulumi
import pulumi_aws as aws

from components.settings import load_settings
from rto_rpo.contract import ROLE_TAG

settings = load_settings()
primary = aws.Provider("primary", region=settings.primary_region)
standby = aws.Provider("standby", region=settings.standby_region)
topic = aws.sns.Topic("alerts", tags={ROLE_TAG: "alert-topic"},
                      opts=pulumi.ResourceOptions(provider=standby))
pulumi.export("primaryRegion", settings.primary_region)
pulumi.export("alertTopicArns", {settings.standby_region: topic.arn})
