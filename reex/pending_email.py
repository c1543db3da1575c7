"""The pending-email sweep: a registry of the apps' "send what an SMTP outage left unsent" functions.

Each app registers its sweeps from its AppConfig.ready(); `manage.py send_pending_email`
(also run by send_daily_digest) calls them all. A sweep takes no arguments, sends each
owed email exactly once (it claims rows with SELECT ... FOR UPDATE SKIP LOCKED and marks
them only after the SMTP server accepted the message) and returns how many it sent.
"""

from collections.abc import Callable

_sweeps: dict[str, Callable[[], int]] = {}


def register_sweep(label: str, sweep: Callable[[], int]) -> None:
    """Run `sweep` on every pending-email run; `label` names its count in the command's output."""
    if _sweeps.get(label, sweep) is not sweep:
        raise ValueError(f"A different pending-email sweep is already registered as {label!r}.")
    _sweeps[label] = sweep


def send_pending_email() -> dict[str, int]:
    """Run every registered sweep, in registration order (INSTALLED_APPS order); counts by label."""
    return {label: sweep() for label, sweep in _sweeps.items()}
