"""Telling the outside world about a run: metrics for CloudWatch (and, later, alerts)."""
