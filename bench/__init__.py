"""The benchmarks: ``make bench`` (``python -m cli bench``) measures the project's performance
figures and rewrites BENCHMARKS.md (:mod:`bench.run`).

Sections: :mod:`bench.model` (modelled RTO/RPO against the original design's claims),
:mod:`bench.cold_start`, :mod:`bench.commands` (whole commands: preview, test suite),
:mod:`bench.policy`, :mod:`bench.failover`, :mod:`bench.backup`, :mod:`bench.drill`. Each area
module has ``measure() -> list[dict]``; :mod:`bench.table` turns rows into the table.
"""
