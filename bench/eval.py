"""``make eval``: the shared seed question set through a command, by the project's own script.

``seed_eval.py`` and its questions live in the shared evaluation folder beside the checkout
(``../shared/eval/``, not in the repository); without it this says where it comes from instead
of Python's "can't open file".
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bench.data import EVAL_DIR

SCRIPT = "seed_eval.py"


def main(argv: list[str]) -> int:
    """``[--eval-dir DIR] -- COMMAND...``: run ``DIR/seed_eval.py -- COMMAND...`` in its place."""
    ap = argparse.ArgumentParser(prog="python -m bench.eval", description=__doc__)
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR, metavar="DIR")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to evaluate")
    args = ap.parse_args(argv)
    script = args.eval_dir / SCRIPT
    if not script.is_file():
        print(
            f"make eval: {script}: not found\n\n"
            f"make eval runs the project's seed question set with {SCRIPT}, from a folder beside "
            "the repository checkout, ../shared/eval/ (not part of the repository; give another "
            "with python -m bench.eval --eval-dir DIR -- COMMAND). The seed questions that "
            "`make test` checks are in tests/data/seed-questions.jsonl.",
            file=sys.stderr,
        )
        return 2
    os.execv(sys.executable, [sys.executable, str(script), *args.command])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
