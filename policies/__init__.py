"""The ecommerce-dr CrossGuard policy pack.

The Pulumi CLI runs ``python -m pulumi.policy <engine> policies`` in this folder with the
pack's own virtualenv (``requirements.txt`` here installs the repository in editable mode), so
the rules import the shared :mod:`rto_rpo` model and :mod:`contract` by package name: the
policies use the same arithmetic and contracts as the program and the drill.
"""
