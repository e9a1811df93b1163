"""``briefbot discord`` as a person runs it, in a child process against the emulator: tokens
never reach the log even at DEBUG, and a start-up that cannot succeed (a server the bot is not
in, Discord unreachable) stops with one line saying what to do."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

from tests.emulators.discord import APP_ID, TOKEN, DiscordEmulator
from tests.handlers.cli_process import finish, spawn


def discord_env(emulator: DiscordEmulator, **variables: str) -> dict[str, str]:
    return {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": emulator.api_base,
        "DISCORD_GATEWAY_URL": emulator.gateway_url,
        **variables,
    }


def one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    [line] = [line for line in stderr.splitlines() if line.startswith("briefbot:")]
    return line


async def test_interaction_and_bot_tokens_are_redacted_at_debug(
    discord_emulator: DiscordEmulator, tmp_path: Path
) -> None:
    env = discord_env(discord_emulator, BRIEFBOT_LOG_LEVEL="DEBUG")
    process = await spawn("discord", cwd=tmp_path, **env)
    try:
        await discord_emulator.until(lambda: discord_emulator.identify is not None, timeout=60)
        call = await discord_emulator.interact(
            discord_emulator.command("ask", question="when is Takaichi visiting the US?")
        )
        await call.message()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        _, err = await finish(process)
    assert f"/interactions/{call.id}/[redacted]/callback" in err  # discord.py did log the URL
    assert call.token not in err
    assert TOKEN not in err


async def test_a_guild_the_bot_is_not_in_stops_it_naming_the_variable_and_the_invite(
    discord_emulator: DiscordEmulator, tmp_path: Path
) -> None:
    discord_emulator.expect_errors = True
    env = discord_env(discord_emulator, DISCORD_GUILD_ID="1300000000000000009")
    code, err = await finish(await spawn("discord", cwd=tmp_path, **env))
    assert code == 2
    line = one_line_error(err)
    assert "DISCORD_GUILD_ID=1300000000000000009" in line and "Missing Access" in line
    assert "applications.commands scope" in line
    invite = f"https://discord.com/oauth2/authorize?client_id={APP_ID}"
    assert f"{invite}&scope=bot+applications.commands&permissions=274877991936" in line


async def test_unreachable_discord_stops_it_naming_the_url(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/api/v10"
    env = {"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": dead}
    process = await spawn("discord", cwd=tmp_path, **env)
    code, err = await asyncio.wait_for(finish(process), 60)
    assert code == 2
    line = one_line_error(err)
    assert f"Cannot reach Discord at {dead} (Connection refused)" in line
    assert err.count("trying again") == 2  # two retries, then the one line
