"""Running one measured command in the repository: the bench's three subprocess calls."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence

from bench.data import REPO


def run_command(
    args: Sequence[str],
    timeout: float,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str] | None:
    """Run ``args`` from the repository with captured text output (``env``: variables set for
    it, beside this process's); None when it timed out."""
    try:
        return subprocess.run(
            list(args),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
            env={**os.environ, **env} if env else None,
        )
    except subprocess.TimeoutExpired:
        return None


def tail(output: str) -> str:
    """The last two lines of a command's output, for a one-line skip note."""
    return " ".join(output.strip().splitlines()[-2:])[-300:]
