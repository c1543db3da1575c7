"""Operational tasks that belong to no app.

`record_ping` is a proof of life for the worker fleet: enqueue one and see
which worker (host and process) ran it. The many-machines tests enqueue
hundreds and count the log lines to prove no job runs twice.
"""

import logging
import os
import socket

from django.tasks import task

logger = logging.getLogger(__name__)


@task
def record_ping(token: str) -> dict:
    """Log and return who ran this ping; has no other effect, so running it is always safe."""
    ran_by = {"token": token, "host": socket.gethostname(), "pid": os.getpid()}
    # The exact line the tests count: one per execution, whichever worker ran it.
    logger.warning("record_ping token=%s host=%s pid=%s", token, ran_by["host"], ran_by["pid"])
    return ran_by
