"""Serving the model: the generation thread (``worker``), the prompt gate (``prompts``), the
model watcher (``watch``), the event-loop lag monitor (``looplag``) and what builds them from the
settings (``services``)."""
