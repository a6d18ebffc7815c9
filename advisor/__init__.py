"""The tier advisor (``python -m cli tiers``): every DR tier for a stack's own config, its
planned worst-case RTO and RPO (the policy pack's), its modelled monthly cost, the cheapest tier
that meets the targets, and what it would take for a cheaper one to meet them.

* :func:`advisor.advise.advise` -> :class:`advisor.result.Advice` (the computation);
* :mod:`advisor.variants` (the configs recorded), :mod:`advisor.knobs` (the config changes
  searched), :mod:`advisor.claim` (the original design's claim, for comparison);
* :mod:`advisor.render` (the table), :mod:`advisor.plot` (the PNG).
"""
