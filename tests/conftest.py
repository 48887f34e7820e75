"""Suite-wide settings. Area fixtures live in ``tests/fixtures_*.py``, imported where used."""

import os

# Two cores are shared by the suite: keep torch and BLAS from oversubscribing them.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
