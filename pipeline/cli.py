"""The ``deepciso`` command line: a registry of subcommands and the error policy.

A user's mistake (:class:`~pipeline.errors.UserError`) prints one line on stderr and exits 2;
Ctrl-C exits 130. ``bot.cli`` adds the bot's own subcommands to the pipeline's.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from pipeline.errors import UserError

PIPELINE_COMMANDS: tuple[str, ...] = (
    "pipeline.commands.build",
    "pipeline.commands.tokenizer",
    "pipeline.commands.train",
    "pipeline.commands.generate",
    "pipeline.commands.filter",
)

LOG_LEVEL_ENV = "DEEPCISO_LOG_LEVEL"


def configure_logging(level: str | None = None) -> None:
    """One configurable level for the whole process (``--log-level`` or ``DEEPCISO_LOG_LEVEL``)."""
    name = (level or os.environ.get(LOG_LEVEL_ENV) or "INFO").upper()
    if not isinstance(logging.getLevelName(name), int):
        raise UserError(f"log level {name!r} is not one of DEBUG, INFO, WARNING, ERROR")
    logging.basicConfig(
        level=name, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )


def build_parser(command_modules: Sequence[str]) -> tuple[argparse.ArgumentParser, dict]:
    parser = argparse.ArgumentParser(
        prog="deepciso",
        description="Turn an archive of tweets into a meme bot that talks like its community.",
    )
    parser.add_argument(
        "--log-level", default=None, help=f"DEBUG, INFO, WARNING or ERROR (env {LOG_LEVEL_ENV})"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules: dict[str, ModuleType] = {}
    for module_name in command_modules:
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(
            module.NAME, help=module.HELP, description=module.__doc__ or module.HELP
        )
        module.configure(sub)
        modules[module.NAME] = module
    return parser, modules


def main(
    argv: Sequence[str] | None = None, command_modules: Sequence[str] = PIPELINE_COMMANDS
) -> int:
    """Parse ``argv``, run the subcommand, turn user errors into one line and exit status 2."""
    parser, modules = build_parser(command_modules)
    args = parser.parse_args(argv)
    try:
        configure_logging(args.log_level)
        return int(modules[args.command].run(args) or 0)
    except UserError as exc:
        print(f"deepciso {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print(f"deepciso {args.command}: interrupted", file=sys.stderr)
        return 130
