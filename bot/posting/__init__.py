"""Scheduled posting: when to post (``scheduler``), one slot's run (``slots``), what was posted
(``ledger``), the posting keys (``settings``), how a post fails (``errors``), what the admin
commands need (``poster``), how the bot puts it together (``build``) and where posts go
(``targets``)."""
