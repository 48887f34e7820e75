"""The ``deepciso`` command line: a registry of subcommands and the error policy.

A user's mistake (:class:`~pipeline.errors.UserError`) prints one line on stderr and exits 2,
a bad option value too (plus one hint line, no usage dump: :class:`Parser`); Ctrl-C exits 130.
``bot.cli`` adds the bot's own subcommands to the pipeline's.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

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


class UsageError(UserError):
    """A command line argparse refused; ``prog`` is ``deepciso`` or ``deepciso <command>``."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog

    def lines(self) -> str:
        return f"{self.prog}: error: {self}\nsee '{self.prog} --help'"


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and a hint (the CLI prints them, exit 2)
    instead of the whole usage text."""

    def error(self, message: str) -> NoReturn:
        # "argument --steps: must be at least 1" -> "--steps must be at least 1"
        match = re.match(r"argument (\S+?): (.*)", message, re.S)
        if match:
            name, rest = match.groups()
            joint = " " if rest.startswith(("must ", "is ")) else ": "
            message = f"{name.split('/')[0]}{joint}{rest}"
        raise UsageError(self.prog, " ".join(message.split()))


def build_parser(command_modules: Sequence[str]) -> tuple[argparse.ArgumentParser, dict]:
    parser = Parser(
        prog="deepciso",
        description="Turn an archive of tweets into a meme bot that talks like its community.",
    )
    parser.add_argument(
        "--log-level", default=None, help=f"DEBUG, INFO, WARNING or ERROR (env {LOG_LEVEL_ENV})"
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=Parser
    )
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
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # named after the command, not the top-level parser
            raise UsageError(
                f"deepciso {args.command}", f"unrecognized arguments: {' '.join(extra)}"
            )
    except UsageError as exc:
        print(exc.lines(), file=sys.stderr)
        return exc.exit_status
    try:
        configure_logging(args.log_level)
        return int(modules[args.command].run(args) or 0)
    except UserError as exc:
        print(f"deepciso {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print(f"deepciso {args.command}: interrupted", file=sys.stderr)
        return 130
