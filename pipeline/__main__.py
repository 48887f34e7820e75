"""``python -m pipeline``: the pipeline's commands (``deepciso`` adds the bot's)."""

import sys

from pipeline.cli import main

sys.exit(main())
