"""The ``deepciso`` console command: the pipeline's subcommands plus the bot's."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from pipeline import cli

BOT_COMMANDS: tuple[str, ...] = ("bot.commands.demo", "bot.commands.bot")


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, command_modules=cli.PIPELINE_COMMANDS + BOT_COMMANDS)


def entry_point() -> None:
    sys.exit(main())
