"""Proof without a cloud account: the plan recorded under mocks, the offline preview with
policy checks, the DR drill on an embedded emulator, and the benchmarks."""
