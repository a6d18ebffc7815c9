"""One module per AWS service; importing this package registers every pricing function in
:data:`cost.registry.PRICERS`. A new module must be imported here."""

from cost.pricing import (  # noqa: F401  (imported to register their functions)
    aurora,
    cloudwatch,
    dms,
    dynamodb,
    events,
    kms,
    lambdas,
    rds,
    route53,
    s3,
    sns,
)
