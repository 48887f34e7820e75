"""One module per bot-side ``deepciso`` subcommand (same contract as ``pipeline.commands``)."""
