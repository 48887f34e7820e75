"""DiscordChatExporter (DCE) JSON and CSV, one channel a file; a folder of them is one source.

Reactions are the engagement (their sum per message). Left out: bots' messages, system messages
(JSON ``type`` other than ``Default``/``Reply``; in CSV, which has no type, the exporter's fixed
English fallback texts), and direct or group messages unless ``--include-private``. Content is
DCE's rendered markdown by default (``:kekw:``, ``@Name``, ``#channel``) or raw with
``--markdown false`` (``<:kekw:123>``, ``<@123>``, ``<#123>``): :func:`clean_markup` handles both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import ijson

from pipeline.corpus.sources.jsonstream import items, json_errors
from pipeline.corpus.sources.post import Post, ReadContext, handle, to_int
from pipeline.corpus.sources.textfile import csv_rows

CSV_HEADER = ("authorid", "author", "date", "content")
MESSAGE_TYPES = frozenset({"Default", "Reply"})
PRIVATE_CHANNELS = frozenset({"DirectTextChat", "DirectGroupTextChat"})
DM_FILE_PREFIX = "Direct Messages - "  # DCE's default file name for a DM or group DM

_SYSTEM_TEXT = re.compile(
    r"^(?:Joined the server\.|Started a thread\.|Pinned a message\.|Left the group\.|"
    r"Changed the channel icon\.|Changed the channel name: .*|Started a call that lasted .*|"
    r"Added .+ to the group\.|Removed .+ from the group\.|Boosted the server.*)$"
)
_DISCRIMINATOR = re.compile(r"#\d{4}$")
_REACTION_COUNT = re.compile(r"\((\d+)\)(?:,|$)")

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_RAW_TOKEN = re.compile(r"<(?:a?:\w+:\d+|@[!&]?\d+|#\d+|t:-?\d+(?::\w)?|id:\w+)>")
_SHORTCODE = re.compile(r"(?<![\w:]):(?=[\w~-]*[A-Za-z])[\w~-]{2,32}:(?![\w:])")
_MARKERS = re.compile(r"\|\||\*\*|__|~~|`")
_LINE_MARKUP = re.compile(r"(?m)^\s*(?:>>>|>|#{1,3}|-#)\s+")


def clean_markup(text: str) -> str:
    """Drop code blocks, mentions/channel/role/time tokens and custom emoji; unwrap spoilers
    and bold/underline/strike/inline-code markers; strip quote and heading line prefixes."""
    if "```" in text:
        text = _CODE_BLOCK.sub(" ", text)
    if "<" in text:
        text = _RAW_TOKEN.sub(" ", text)
    if ":" in text:
        text = _SHORTCODE.sub(" ", text)
    if any(marker in text for marker in "|*_~`"):
        text = _MARKERS.sub("", text)
    if ">" in text or "#" in text:
        text = _LINE_MARKUP.sub("", text)
    return text


def read_json(path: Path, ctx: ReadContext) -> Iterator[Post]:
    private = _is_private_json(path)
    with open(path, "rb") as stream:
        for message in items(stream, "messages.item", str(path)):
            yield _json_post(message, private and not ctx.include_private)


def _is_private_json(path: Path) -> bool:
    """A DM or group DM, read from the ``guild``/``channel`` header before the messages."""
    info: dict[str, object] = {}
    with open(path, "rb") as stream, json_errors(str(path)):
        for prefix, event, value in ijson.parse(stream):
            if prefix == "messages":
                break
            if event in ("string", "number"):
                info[prefix] = value
    return info.get("channel.type") in PRIVATE_CHANNELS or str(info.get("guild.id")) == "0"


def _json_post(message: dict, private: bool) -> Post:
    author = message.get("author") or {}
    drop = None
    if private:
        drop = "private"
    elif message.get("type", "Default") not in MESSAGE_TYPES:
        drop = "system"
    elif author.get("isBot"):
        drop = "bot"
    name = author.get("name") or ""
    likes = 0
    for reaction in message.get("reactions") or ():
        count = reaction.get("count")
        likes += count if type(count) is int else to_int(count) or 0
    if "#" in name:
        name = _DISCRIMINATOR.sub("", name)
    return Post(str(message.get("id") or ""), name.strip().lower(),
                message.get("content") or "", message.get("timestamp"), likes, 0, None, False,
                drop)  # fmt: skip


def read_csv(path: Path, ctx: ReadContext) -> Iterator[Post]:
    private = path.name.startswith(DM_FILE_PREFIX) and not ctx.include_private
    for row in csv_rows(path):
        text = row.get("content", "")
        drop = "private" if private else "system" if _SYSTEM_TEXT.match(text) else None
        yield Post(
            id=f"{row.get('authorid', '')}:{row.get('date', '')}",
            author=handle(_DISCRIMINATOR.sub("", row.get("author", ""))),
            text=text,
            created=row.get("date"),
            likes=sum(int(n) for n in _REACTION_COUNT.findall(row.get("reactions", ""))),
            reposts=0,
            drop=drop,
        )
