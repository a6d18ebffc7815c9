"""The drill's data plane: real PostgreSQL servers, an inter-Region link, a shop, customers.

Everything runs on 127.0.0.1 under one caller-given run directory, owned by a
:class:`dataplane.plane.DataPlane` that stops whatever it started.
"""
