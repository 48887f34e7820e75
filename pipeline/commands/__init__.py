"""One module per ``deepciso`` subcommand: ``NAME``, ``HELP``, ``configure(parser)``, ``run(args)``.

Command modules import heavy libraries (torch, transformers) inside ``run`` only, so that
``deepciso build --help`` and ``deepciso build`` start fast.
"""
