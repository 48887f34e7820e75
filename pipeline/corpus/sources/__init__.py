"""Readers for what communities can export in 2026, each yielding :class:`~.post.Post` records.

One module per format (X archive, legacy tweets.csv, twscrape/snscrape and API v2 JSONL,
DiscordChatExporter, Mastodon outbox, Bluesky CAR, generic CSV/JSONL/text, Twint), a registry
(:mod:`.formats`), detection from content (:mod:`.detect`) and the merged build (:mod:`.build`).
"""
