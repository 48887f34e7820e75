"""The post ledger's SQLite schema and its migrations, one per ``user_version``."""

from __future__ import annotations

_SCHEMA = """
CREATE TABLE IF NOT EXISTS slots (
    id INTEGER PRIMARY KEY,
    scheduled_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    text TEXT,
    candidates INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    slot_id INTEGER NOT NULL REFERENCES slots(id),
    target TEXT NOT NULL,
    text TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    remote_id TEXT,
    error TEXT,
    tries INTEGER NOT NULL DEFAULT 0,
    regenerated INTEGER NOT NULL DEFAULT 0,
    next_retry_at TEXT,
    updated_at TEXT NOT NULL,
    posted_at TEXT,
    UNIQUE (slot_id, target)
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    text TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT,
    remote_id TEXT,
    error TEXT
);
CREATE TABLE IF NOT EXISTS rejections (
    slot_id INTEGER NOT NULL REFERENCES slots(id),
    reason TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (slot_id, reason)
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries(status);
CREATE INDEX IF NOT EXISTS attempts_delivery ON attempts(delivery_id);
"""

# Version 2: the moderators' approval queue (bot.posting.drafts). A draft per held slot, its
# candidates per round ("Another" starts a new round), and every decision, refused ones too.
_DRAFTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    slot_id INTEGER PRIMARY KEY REFERENCES slots(id),
    status TEXT NOT NULL DEFAULT 'pending',
    round INTEGER NOT NULL DEFAULT 1,
    channel_id TEXT,
    message_id TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    decided_by TEXT,
    decided_name TEXT,
    decided_at TEXT,
    choice INTEGER,
    text TEXT
);
CREATE TABLE IF NOT EXISTS draft_candidates (
    slot_id INTEGER NOT NULL REFERENCES drafts(slot_id),
    round INTEGER NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (slot_id, round, position)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    slot_id INTEGER NOT NULL REFERENCES drafts(slot_id),
    round INTEGER NOT NULL,
    action TEXT NOT NULL,
    choice INTEGER,
    user_id TEXT,
    user_name TEXT,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS drafts_status ON drafts(status);
"""

# (version, script): run in order on a file whose user_version is lower, then recorded.
_MIGRATIONS = ((1, _SCHEMA), (2, _DRAFTS_SCHEMA))
SCHEMA_VERSION = _MIGRATIONS[-1][0]
