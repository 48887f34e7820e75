"""Run the Discord bot configured from .env, or try it in the terminal with --console.

Slash commands are registered with Discord only when asked (--sync), not on every start:
global commands can take an hour to appear; --sync --guild ID registers them in one
server at once, for development.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from pipeline.commands.argtypes import positive_int

NAME = "bot"
HELP = "run the Discord bot (or --console to try it without Discord)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sync", action="store_true", help="register the /deepciso commands with Discord first"
    )
    parser.add_argument(
        "--guild", type=positive_int, metavar="ID", help="with --sync: register in this server only"
    )
    parser.add_argument(
        "--console", action="store_true", help="no Discord, no token: prompts in the terminal"
    )
    parser.add_argument(
        "--env-file", type=Path, metavar="F", help="settings file to read (default .env)"
    )


def run(args: argparse.Namespace) -> int:
    from bot.settings import load_settings
    from pipeline.errors import UserError

    if args.guild is not None and not args.sync:
        raise UserError("--guild only makes sense with --sync: deepciso bot --sync --guild ID")
    if args.console and args.sync:
        raise UserError("--console runs without Discord, so there is nothing to --sync")
    settings = load_settings(args.env_file, require_token=not args.console)
    if args.console:
        from bot.console import run_console

        return asyncio.run(run_console(settings))
    from bot.app import run_bot

    asyncio.run(run_bot(settings, sync=args.sync, sync_guild=args.guild))
    return 0
