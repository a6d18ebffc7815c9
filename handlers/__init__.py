"""Lambda handlers: the failover orchestrator and the backup orchestrator.

Deployed as one code asset whose root holds ``handlers/``, ``contract/`` (the environment,
strategy and name contracts) and ``rto_rpo/``, so imports read the same in Lambda and in
tests.

Both orchestrators have one layout, with the same names for the same things:

* ``app.py`` - ``handler(event, context)`` (the Lambda entry, with Powertools) and
  ``handle(event, context, *, clients=None, settings=None)`` (parse the event, build
  settings and clients, run the domain code, return a JSON-able dict);
  ``default_clients(settings)``;
* ``events.py`` - ``parse_event``: the typed event, or
  :class:`~handlers.shared.errors.MalformedEventError` before any AWS call;
* ``settings.py`` - ``get_settings`` / ``load_settings`` over :mod:`contract.env`
  (:class:`~handlers.shared.errors.SettingsError`);
* ``observability.py`` - ``logger``, ``tracer``, ``metrics``, ``count``, ``seconds``;
* ``context.py`` - what each step receives; ``runner.py`` - runs the steps in order;
  ``steps/`` - one module per step.

Shared pieces are in :mod:`handlers.shared` (clients, errors, event parsing,
observability, alerts, HTTP probes).
"""
