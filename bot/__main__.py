"""``python -m bot [--console] [--sync [--guild ID]] [--env-file F]`` = ``deepciso bot ...``."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(["bot", *sys.argv[1:]]))
