"""Code both orchestrators need: AWS clients, alerts."""
