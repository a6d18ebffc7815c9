"""One command line for the tools: ``python -m cli <command>`` (or the ``ecommerce-dr``
console script). Commands: :mod:`cli.plan`, :mod:`cli.preview`, :mod:`cli.tiers`, :mod:`cli.drill`,
:mod:`cli.bench`; exit codes: :mod:`cli.exit_codes`. The parser is built in :mod:`cli.main`."""
