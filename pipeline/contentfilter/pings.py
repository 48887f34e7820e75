"""Pings and links: ``@handle``, ``@everyone``/``@here``, Discord mentions, URLs, invites.

A meme must never ping anyone nor carry a link (spam, phishing, a Discord invite). Policy
``remove`` (the default) deletes those tokens and keeps the rest of the text when enough of
it still stands; policy ``reject`` refuses any text that has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Discord mention syntax: users <@id> <@!id>, roles <@&id>, channels <#id>, slash commands
# </name:id>, custom emoji are left alone.
_DISCORD_MENTION = r"<(?:@[!&]?|#)\d+>|</[\w -]+:\d+>"
# X and Discord handles; the fullwidth at sign pings on X too. Not an e-mail's "@".
_HANDLE = r"(?<![\w@＠.])[@＠][A-Za-z0-9_]{1,32}\b"
_INVITE = r"(?:https?://)?(?:www\.)?(?:discord(?:app)?\.(?:gg|io|me|li|com/invite)|dsc\.gg)/\S+"
_URL = r"(?:https?|ftp)://\S+|www\.\S+"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# Bare domains that X and Discord clients turn into links ("example.com/path").
_TLDS = (
    "com|net|org|io|co|gg|ai|me|ly|app|dev|xyz|info|biz|us|uk|de|fr|ru|cn|jp|in|tv|to|so|sh|"
    "link|site|online|live|news|shop|store|tech|fm|am|is|it|es|nl|eu|ca|au|be|ch|se|no|pl|cc"
)
_DOMAIN = rf"(?<![\w@$.])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?:/\S*)?"
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\((?:<[^>\n]*>|[^)\s]*)\)")
_TOKENS = re.compile(
    "|".join(f"(?:{p})" for p in (_DISCORD_MENTION, _INVITE, _URL, _EMAIL, _HANDLE, _DOMAIN)),
    re.IGNORECASE,
)
# Cheap test first: most texts have none of the characters a ping or link needs.
_MAYBE = re.compile(r"[@＠<\]]|[./]\w", re.IGNORECASE)
_LEFTOVER_SPACES = re.compile(r"[ \t]{2,}")


@dataclass(frozen=True)
class PingsAndLinks:
    """What :func:`find_pings_and_links` found and the text without it."""

    found: tuple[str, ...]
    remainder: str


def find_pings_and_links(text: str) -> PingsAndLinks:
    """Every ping or link in ``text`` and the text with them removed (markdown links keep their
    label); whitespace left behind is squeezed."""
    if not _MAYBE.search(text):
        return PingsAndLinks((), text.strip())
    found: list[str] = []

    def unlink(match: re.Match) -> str:
        found.append(match.group(0))
        return match.group(1)

    def drop(match: re.Match) -> str:
        found.append(match.group(0))
        return " "

    text = _MARKDOWN_LINK.sub(unlink, text)
    remainder = _TOKENS.sub(drop, text)
    remainder = _LEFTOVER_SPACES.sub(" ", remainder).strip()
    return PingsAndLinks(tuple(found), remainder)
