"""The preview: ``pulumi preview --policy-pack policies`` without the CLI or a cloud account.

:func:`preview.run.run` records the plan under mocks (:mod:`engine.plan`), evaluates it with
the policy pack over gRPC (:mod:`engine.pack`) and renders the result
(:mod:`preview.render`); :func:`preview.run.evaluate_plan` evaluates an already recorded plan.
"""
