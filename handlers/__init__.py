"""Lambda handlers: the failover orchestrator and the backup orchestrator.

Deployed as one code asset whose root holds ``handlers/`` and ``rto_rpo/`` (the shared name
contract), so imports read the same in Lambda and in tests.
"""
