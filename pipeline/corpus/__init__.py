"""Building the training corpus from Twint databases: reading (``twint_schema``), cleaning,
timestamps, ranking and the validation split; ``build`` runs it. No torch here: ``deepciso
build`` must stay light."""
