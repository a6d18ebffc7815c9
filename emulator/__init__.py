"""An emulated AWS account for the drill, the benchmarks and the handler tests.

* :mod:`emulator.server`: moto server on 127.0.0.1 (:class:`~emulator.server.Emulator`) with a
  request ledger and throttling injected server-side;
* :mod:`emulator.in_process`: moto's in-process mock, set up for the site
  (:func:`~emulator.in_process.mocked_aws`), for the handler tests and the benchmarks;
* :mod:`emulator.ledger`: what the emulator served and what the handlers' clients attempted;
* :mod:`emulator.faults`: fault injection on the handlers' clients (a Region down behind a
  closed port, a container killed right after a call) and the throttling storm;
* :mod:`emulator.site`: the one builder of the site's parts in the emulated account
  (databases, standby per strategy, hosted zone, alert topics read through SQS, state table,
  alarms, functions) - :class:`~emulator.site.SiteBuilder`;
* :mod:`emulator.orchestrators`: the parts each orchestrator runs against, composed from the
  builder, with their environment (:func:`~emulator.orchestrators.failover_site`,
  :func:`~emulator.orchestrators.backup_site`);
* :mod:`emulator.rds_backend`: what the RDS API cannot set (a snapshot's age or status),
  set on moto's in-process backend;
* :mod:`emulator.endpoints`: HTTP health endpoints on 127.0.0.1;
* :mod:`emulator.clients`: client factories: plain, recording every call (with Regions
  down), or refusing every request;
* :mod:`emulator.events`: the events AWS sends the orchestrators (schedule, alarm change) and
  an operator's requests;
* :mod:`emulator.lambda_runtime`: run a handler in-process the way Lambda would;
* :mod:`emulator.bridges`: the named emulator-gap bridges (what AWS does and moto does not);
* :mod:`emulator.data_bridges`: moto's RDS and DMS calls driving a real data plane (hooks);
* :mod:`emulator.clock`: the clock moto stamps CloudWatch data with.

Everything listens on 127.0.0.1 only and uses moto's account :data:`ACCOUNT_ID`.
"""

#: moto's default account; the stack config's ARNs use it too.
ACCOUNT_ID = "123456789012"
#: Credentials every emulated client signs with (never valid against AWS).
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
