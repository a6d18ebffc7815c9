"""The ecommerce-dr CrossGuard policy pack.

The Pulumi CLI runs ``python -m pulumi.policy <engine> policies`` in this folder with the
pack's own virtualenv (``requirements.txt`` here installs the repository in editable mode), so
the rules import the shared :mod:`rto_rpo` model and :mod:`contract` by package name: the
policies use the same arithmetic and contracts as the program and the drill.

Layout:

* :mod:`policies.rules` - the rules, one module per area, each with a ``policies()`` list;
* :mod:`policies.inventory` - the RTO/RPO terms found among planned resources, one finder
  per term, gathered into an :class:`rto_rpo.inputs.EstimateInputs`;
* :mod:`policies.orchestrator_env` - an orchestrator's planned variables read through
  :mod:`contract.env` (known, unknown during preview, invalid or missing);
* :mod:`policies.resource_types` - the resource-type tokens the rules look at.

To add a rule: a factory in the area's module under :mod:`policies.rules` (kebab-case name, a
"Checks whether..." description, named settings), listed in that module's ``policies()``,
with a failing and a passing test in ``tests/policies``.
"""
