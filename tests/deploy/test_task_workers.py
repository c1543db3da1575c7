"""Workers on several machines never run the same job twice: two worker processes share one queue.

Both queues are tested the way production runs them: `manage.py db_worker` on the PostgreSQL queue
(the default, SELECT ... FOR UPDATE SKIP LOCKED) and `manage.py rqworker` on Redis (TASKS_BACKEND=
django_tasks_rq.RQBackend). Each job is reex.tasks.record_ping, which logs one line per execution to
the output of the worker that ran it; the test counts those lines in each worker's own log.
"""

import re
import subprocess
import sys
import textwrap
import uuid
from collections import Counter

import psycopg2
import pytest

from tests.deploy.conftest import (
    BASE_DIR,
    REDIS_TEST_URL,
    manage,
    redis_delete,
    redis_or_skip,
    subprocess_env,
    wait_for,
)

JOBS = 200
PING_LINE = re.compile(r"record_ping token=(\S+) host=\S+ pid=\d+")
ENQUEUE = textwrap.dedent(
    """
    from datetime import timedelta
    from django.utils import timezone
    from reex.tasks import record_ping
    ids = [record_ping.enqueue("{run}-" + str(i)).id for i in range({jobs})]
    if {delayed}:
        record_ping.using(run_after=timezone.now() + timedelta(seconds=2)).enqueue("{run}-delayed")
    print(ids[0])
    """
)
RESULT = textwrap.dedent(
    """
    from reex.tasks import record_ping
    result = record_ping.get_result("{id}")
    print(result.status, result.return_value["token"], len(result.worker_ids))
    """
)


def _enqueue(env, run: str, *, jobs: int = JOBS, delayed: bool = False) -> str:
    """Enqueue the pings; returns the result id of the first."""
    return manage("shell", "-c", ENQUEUE.format(jobs=jobs, run=run, delayed=delayed), env=env).stdout.split()[-1]


def _result(env, result_id: str) -> str:
    """What the app sees through django.tasks' result API: status, token, number of workers."""
    return manage("shell", "-c", RESULT.format(id=result_id), env=env).stdout.strip().splitlines()[-1]


def _pings(process, run: str) -> Counter:
    return Counter(token for token in PING_LINE.findall(process.log()) if token.startswith(f"{run}-"))


def _assert_each_ran_exactly_once(workers, run: str, expected: set[str]) -> None:
    per_worker = [_pings(worker, run) for worker in workers]
    total = sum(per_worker, Counter())
    assert set(total) == expected
    assert [token for token, times in total.items() if times != 1] == []
    print(f"jobs per worker: {[sum(counts.values()) for counts in per_worker]}")  # shown with -s
    # Both machines took part: the queue was really shared, not drained by whichever started first.
    assert all(sum(counts.values()) > 0 for counts in per_worker), [sum(c.values()) for c in per_worker]


def _db_task_statuses(database_url: str, run: str) -> dict:
    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, jsonb_array_length(worker_ids), count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'reex.tasks.record_ping' AND args_kwargs->'args'->>0 LIKE %s GROUP BY 1, 2",
            [f"{run}-%"],
        )
        rows = cursor.fetchall()
    connection.close()
    return {(status, workers): count for status, workers, count in rows}


def test_two_db_workers_share_the_postgresql_queue_and_run_each_job_once(deploy_database, processes):
    env = subprocess_env(DATABASE_URL=deploy_database, LOG_LEVEL="INFO")
    run = uuid.uuid4().hex[:10]
    workers = [
        processes.start(
            f"db_worker_{name}",
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "default",
                "--interval",
                "0.1",
                "--no-reload",
                f"--worker-id=machine-{name}-{run}",
            ],
            env,
        )
        for name in ("a", "b")
    ]
    assert wait_for(lambda: all("Starting worker" in w.log() for w in workers)), processes.dump_logs()

    first_id = _enqueue(env, run, delayed=True)
    expected = {f"{run}-{i}" for i in range(JOBS)} | {f"{run}-delayed"}

    def all_finished():
        statuses = _db_task_statuses(deploy_database, run)
        return sum(statuses.values()) == JOBS + 1 and set(statuses) == {("SUCCESSFUL", 1)}

    assert wait_for(all_finished, timeout=180), (_db_task_statuses(deploy_database, run), processes.dump_logs())
    processes.stop_all()

    _assert_each_ran_exactly_once(workers, run, expected)
    # The queue agrees: every job claimed by exactly one worker id, one of ours.
    assert _db_task_statuses(deploy_database, run) == {("SUCCESSFUL", 1): JOBS + 1}
    assert _result(env, first_id) == f"SUCCESSFUL {run}-0 1"


def _rq_installed_or_skip() -> None:
    pytest.importorskip("django_tasks_rq", reason="the optional RQ queue needs django-tasks-rq (docs/operations.md)")


@pytest.fixture
def rq_env(deploy_database):
    _rq_installed_or_skip()
    redis_url = redis_or_skip()
    redis_delete(redis_url, "rq:*")
    yield subprocess_env(
        DATABASE_URL=deploy_database,
        LOG_LEVEL="INFO",
        TASKS_BACKEND="django_tasks_rq.RQBackend",
        TASKS_REDIS_URL=redis_url,
    )
    redis_delete(redis_url, "rq:*")


def test_two_rq_workers_share_the_redis_queue_and_run_each_job_once(rq_env, processes):
    from redis import Redis
    from rq import Queue

    run = uuid.uuid4().hex[:10]
    argv = [
        sys.executable,
        "manage.py",
        "rqworker",
        "default",
        "email",
        "--job-class",
        "django_tasks_rq.Job",
        "--with-scheduler",
    ]
    workers = [processes.start(f"rqworker_{name}", argv, rq_env) for name in ("a", "b")]
    assert wait_for(lambda: all("Listening on default" in w.log() for w in workers)), processes.dump_logs()

    first_id = _enqueue(rq_env, run, delayed=True)
    expected = {f"{run}-{i}" for i in range(JOBS)} | {f"{run}-delayed"}

    queue = Queue("default", connection=Redis.from_url(rq_env["TASKS_REDIS_URL"]))

    def all_finished():
        return queue.finished_job_registry.count == JOBS + 1 and queue.count == 0

    assert wait_for(all_finished, timeout=180), (queue.finished_job_registry.count, processes.dump_logs())
    processes.stop_all()

    _assert_each_ran_exactly_once(workers, run, expected)
    assert queue.failed_job_registry.count == 0
    assert queue.started_job_registry.count == 0
    # Django's result API works through the backport bridge (see docs/operations.md, "Scaling out").
    assert _result(rq_env, first_id) == f"SUCCESSFUL {run}-0 1"


def test_rq_settings_pass_the_system_checks_and_refuse_to_start_without_redis():
    _rq_installed_or_skip()
    ok = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=subprocess_env(TASKS_BACKEND="django_tasks_rq.RQBackend", TASKS_REDIS_URL=REDIS_TEST_URL),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    refused = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=subprocess_env(TASKS_BACKEND="django_tasks_rq.RQBackend"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "TASKS_BACKEND=django_tasks_rq.RQBackend needs TASKS_REDIS_URL or REDIS_URL." in refused.stderr
