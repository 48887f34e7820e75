"""``deepciso train``: a small flat GPT training loop (nanoGPT-like) in one-concept modules.

``config`` (presets and every default), ``text`` (tokenizers), ``data`` (packed blocks),
``schedule`` (warmup + cosine), ``device`` (precision), ``model`` (build or load),
``distributed`` (torchrun), ``evaluate`` (validation, samples), ``logbook`` (CSV and plot),
``checkpoint`` (resumable state, the saved model folder), ``prepare`` (early validation of the
inputs) and ``loop`` (the loop itself).
"""
