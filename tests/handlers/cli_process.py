"""The real ``briefbot`` command in a child process, as a user runs it (not a pytest plugin).

The child gets this checkout on ``PYTHONPATH``, no ``BRIEFBOT_*`` variable but those a test
passes, and runs from a folder without ``.env``; ``spawn`` starts one that keeps running (a bot
against the emulators) while the test's event loop serves them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
_PLATFORM_VARIABLES = ("SLACK_", "DISCORD_")


def child_env(**variables: str) -> dict[str, str]:
    """The environment of a child briefbot: none of the developer's BRIEFBOT_/SLACK_/DISCORD_
    variables, ``variables`` instead, this checkout first on the path."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", *_PLATFORM_VARIABLES))
    }
    never_the_projects_dotenv = {"BRIEFBOT_ENV_FILE": os.devnull}
    # Words alone unless a test asks for meaning (see make_settings in tests/conftest.py).
    return {
        **env,
        **never_the_projects_dotenv,
        "BRIEFBOT_SEMANTIC": "false",
        "COLUMNS": "200",
        "PYTHONPATH": str(CHECKOUT),
        **variables,
    }


def own_database(cwd: Path, variables: dict[str, str]) -> dict[str, str]:
    """A child bot keeps its database in its own folder unless the test names one (``""``:
    the default, beside the saved index): never one shared with other tests' bots."""
    if "BRIEFBOT_DATABASE_URL" not in variables:
        variables = {**variables, "BRIEFBOT_DATABASE_URL": f"sqlite:///{cwd / 'briefbot.db'}"}
    return variables


def briefbot(
    *args: str, cwd: Path, stdin: str | bytes = "", **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run ``briefbot ARGS`` to the end; stdout and stderr decoded as UTF-8 (CRs kept)."""
    variables = own_database(cwd, variables)
    done = subprocess.run(
        [sys.executable, "-m", "handlers.cli", *args],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        timeout=120,
        cwd=cwd,
        env=child_env(**variables),
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


async def spawn(*args: str, cwd: Path, **variables: str) -> asyncio.subprocess.Process:
    """Start ``briefbot ARGS`` without waiting for it (stdout and stderr piped)."""
    variables = own_database(cwd, variables)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "handlers.cli",
        *args,
        cwd=cwd,
        env=child_env(**variables),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=interruptible,
    )


def interruptible() -> None:
    """In the child before it starts: SIGINT back to its default. A suite run in the background
    (``make test &``) has SIGINT ignored, which children inherit: a bot would then never hear
    the Ctrl-C the tests send it, and outlive them."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


async def finish(process: asyncio.subprocess.Process, timeout: float = 60) -> tuple[int, str]:
    """Wait for a spawned briefbot to exit; its exit code and everything on stderr. One still
    running after ``timeout`` is killed, never left behind."""
    try:
        _, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, err.decode()
