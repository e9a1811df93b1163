"""What the bot must remember between restarts and share with its other processes: chat
subscriptions and their deliveries, the articles each channel was sent, the Slack events it has
seen and the threads it answered in, the feeds added from the chat.

One SQLAlchemy (async) schema with Alembic migrations, for an embedded SQLite file beside the
saved index (the default: nothing to install) and for PostgreSQL (``BRIEFBOT_DATABASE_URL``),
with the same code. Imported only by the long-running commands: ``briefbot ask`` never pays for
SQLAlchemy.
"""

from bot.state.database import Database
from bot.state.memory import Memory
from bot.state.turns import Turns

__all__ = ["Database", "Memory", "Turns"]
