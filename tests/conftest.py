"""Test-wide safety: no test reaches a real AWS endpoint."""

import os

# Fake credentials and a default Region, so a client built by mistake signs requests but
# can never authenticate against real AWS. Individual tests point clients at moto.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SECURITY_TOKEN", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("AWS_PROFILE", None)
# Handler tests read the EMF metrics Powertools prints; a caller's setting must not mute them.
os.environ.pop("POWERTOOLS_METRICS_DISABLED", None)
