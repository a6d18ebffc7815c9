"""The preview: ``pulumi preview --policy-pack policies`` without the CLI or a cloud account.

:func:`preview.run.run` records the plan under mocks (:mod:`engine.plan`), evaluates it with
the policy pack over gRPC (:mod:`engine.pack`), prices it (:func:`cost.estimate`) and renders
the result (:mod:`preview.render`) or prints it as one JSON document
(:mod:`preview.document`); :func:`preview.run.evaluate_plan` evaluates an already recorded
plan, :func:`preview.run.evaluate_with` one on a pack that is already running.
"""
