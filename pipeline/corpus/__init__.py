"""Building the training corpus from Twint databases (``twint_schema``) and social-media exports
(``sources``): cleaning, timestamps, ranking and the validation split; ``build`` runs it. No
torch here: ``deepciso build`` must stay light."""
