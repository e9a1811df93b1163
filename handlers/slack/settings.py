"""Slack's settings: the tokens, the signing secret, the API base and where HTTP mode listens."""

from __future__ import annotations

from pydantic import Field, SecretStr

from bot import EnvSettings


class SlackSettings(EnvSettings):
    """SLACK_* variables (see ``.env.example``)."""

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_base_url: str | None = None
    # HTTP mode: where to listen (0.0.0.0: every interface; 127.0.0.1 behind a local proxy).
    slack_host: str = "0.0.0.0"
    slack_port: int = Field(default=3000, ge=0, le=65535)
