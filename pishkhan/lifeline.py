"""Processes `pishkhan serve` starts (its HTTP workers, the socket server, the job worker) end
when it does, even when it is killed before it can stop them: each watches its parent."""

import os
import signal
import threading
import time

# Set in a process started by `serve`: the pid whose end should end it too.
PARENT_ENV = "PISHKHAN_SERVE_PID"


def follow_parent() -> None:
    """When this process was started by `serve`, stop it gracefully (SIGTERM, as an operator
    would) once `serve` is gone."""
    parent = os.environ.pop(PARENT_ENV, None)
    if parent is None:
        return
    parent = int(parent)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="follow-parent").start()
