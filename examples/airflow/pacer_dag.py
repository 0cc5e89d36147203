"""Airflow DAG running pacer's nightly job.

pacer's exit codes decide what Airflow does:

* 0  ok.
* 75 another run holds the warehouse lock: retried (up to ``retries``).
* 1  runtime failure, 2 invalid config or input, 3 data checks failed (the
  report is still written): failed at once without retrying, and
  ``on_failure_callback`` alerts.

Put the file in the DAGs folder; set PACER_HOME to the project directory.
Secrets go in the worker's environment (or an Airflow connection exported as
environment variables), never in pacer.yaml.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.operators.bash import BashOperator

PACER_HOME = os.environ.get("PACER_HOME", "/srv/pacer")
RETRYABLE = 75  # EX_TEMPFAIL: another run holds the lock


class PacerRunOperator(BashOperator):
    """BashOperator that retries only pacer's exit code 75."""

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowException as err:
            if f"exit code {RETRYABLE}" in str(err):
                raise  # Airflow retries it
            raise AirflowFailException(str(err)) from err  # no retry


def alert(context):
    """Tell the team; replace with Slack, e-mail or PagerDuty."""
    ti = context["task_instance"]
    print(f"pacer failed: {ti.dag_id}.{ti.task_id} on {context['ds']}, see {ti.log_url}")


with DAG(
    dag_id="pacer_nightly",
    description="pacer: sync, transform, check, report and send, for yesterday",
    schedule="0 6 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 3,
        "retry_delay": timedelta(minutes=10),
        "on_failure_callback": alert,
    },
    tags=["marketing", "pacer"],
) as dag:
    PacerRunOperator(
        task_id="pacer_run",
        # {{ ds }} is the logical date: the day the run reports on.
        bash_command=f"cd {PACER_HOME} && ./bin/pacer -c pacer.yaml --log-format json run --date {{{{ ds }}}}",
        cwd=PACER_HOME,
    )
