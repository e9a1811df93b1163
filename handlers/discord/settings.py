"""Discord's settings: the token, a test server, the API and gateway bases, mentions."""

from __future__ import annotations

from pydantic import SecretStr

from bot import EnvSettings


class DiscordSettings(EnvSettings):
    """DISCORD_* variables (see ``.env.example``)."""

    discord_token: SecretStr | None = None
    discord_guild_id: int | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    discord_answer_mentions: bool = False
