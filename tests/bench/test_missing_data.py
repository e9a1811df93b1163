"""``make eval`` in a checkout without the shared evaluation folder: a message saying where the
script comes from, exit 2, no traceback (run as ``make eval`` runs it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.handlers.cli_process import CHECKOUT, child_env


def test_eval_without_the_seed_script_says_where_it_comes_from(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.eval", "--eval-dir", str(tmp_path), "--", "briefbot"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=CHECKOUT,
        env=child_env(),
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{tmp_path / 'seed_eval.py'}: not found" in done.stderr
    assert "../shared/eval/" in done.stderr and "--eval-dir DIR" in done.stderr
