"""The maintenance jobs (docs/maintenance.md): daily and weekly, the same steps locally
(`harness maintenance daily|weekly`) and in AWS (the run_maintenance Lambda on a schedule)."""

from harness.maintenance.jobs import JOBS, Environment, job_key, run_job
from harness.maintenance.model import JobReport, TaskResult, TaskStatus

__all__ = ["JOBS", "Environment", "JobReport", "TaskResult", "TaskStatus", "job_key", "run_job"]
