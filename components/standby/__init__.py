"""The standby database's strategy builders, one module per strategy.

Each module defines ``Builder``, a :class:`components.standby.base.StrategyBuilder`; the
:class:`components.database.StandbyDatabase` component loads the module named by the
strategy's :attr:`contract.strategies.StrategySpec.program_builder`.
"""
