"""Backup orchestrator: scheduled recovery points in both Regions, cross-Region copies,
retention within the manual-snapshot quota, and the measured recovery-point age (RPO held).

Entry point: :func:`handlers.backup.app.handler`. See :mod:`handlers.backup.app` for the
event, return and metadata shapes; the run's steps are :mod:`handlers.backup.steps`.
"""
