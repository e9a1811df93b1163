"""briefbot core: a platform-neutral engine that answers questions with quoted, cited passages.

Nothing in this package imports Slack or Discord code; adapters live in ``handlers/``.
"""

from __future__ import annotations

__version__ = "0.1.0"
