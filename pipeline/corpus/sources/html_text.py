"""Mastodon's sanitized post HTML -> plain text, with the standard library's ``html.parser``.

A real tokenizer (not regexes): it decodes entities, handles attributes and malformed markup the
way browsers do, and needs no new dependency; Mastodon's HTML is small and sanitized, so the
speed of selectolax would buy nothing. Paragraphs and ``<br>`` become line breaks; a link that
is not a mention or hashtag becomes its ``href`` (the common cleaner then removes links); the
text of mentions (``@name``) and hashtags (``#tag``) is kept.
"""

from __future__ import annotations

from html.parser import HTMLParser

_BREAKS = frozenset({"br", "p", "div", "li", "blockquote", "pre"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._link_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")
        if tag == "a":
            found = dict(attrs)
            classes = (found.get("class") or "").split()
            if self._link_depth or not ({"mention", "hashtag", "u-url"} & set(classes)):
                self._link_depth += 1
                self.parts.append(f" {found.get('href') or ''} ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link_depth:
            self._link_depth -= 1
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._link_depth:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of ``markup``, links replaced by their address."""
    if "<" not in markup and "&" not in markup:
        return markup
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts).strip()
