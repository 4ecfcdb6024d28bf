"""CPU time of processes, read from /proc (Linux): what a run cost the machine, which throughput
alone does not tell on a machine whose speed drifts from hour to hour (a shared host's steal
time is nobody's CPU time)."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stats() -> dict[int, tuple[str, int, float]]:
    """{pid: (command, parent pid, CPU seconds of it and its waited-for children)}."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        command = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # utime, stime, cutime, cstime: fields 14-17 of stat(5), here from the state on
        ticks = sum(int(value) for value in fields[11:15])
        found[int(entry.name)] = (command, int(fields[1]), ticks / _TICKS)
    return found


def available() -> bool:
    return Path("/proc/self/stat").exists()


def tree_seconds(root: int) -> float:
    """CPU seconds of `root` and every process descending from it."""
    stats = _stats()
    members, grew = {root}, True
    while grew:
        more = {pid for pid, (_c, parent, _s) in stats.items() if parent in members}
        grew = not more <= members
        members |= more
    return sum(stats[pid][2] for pid in members if pid in stats)


def command_seconds(command: str) -> float:
    """CPU seconds of every process named `command` (with its ended children: a database's
    connections that closed are counted in the process that started them)."""
    return sum(seconds for name, _parent, seconds in _stats().values() if name == command)
