"""A built-in sample Twint database, generated deterministically, in Twint's newest schema.

The texts are the project's own infosec jokes assembled from fragments (no third-party tweets).
Authors have lognormal popularity, so engagement differs between and within authors and the
per-author percentile filter matters. A few rows carry what real files carry: replies starting
with @handles, t.co links, ``&amp;`` entities, retweets, emoji, Spanish tweets, and
``created_at`` text with local zone names.
"""

from __future__ import annotations

import math
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.atomic import atomic_path
from pipeline.corpus.twint_schema import NEWEST_TWEETS_DDL

OPENERS = (
    "me explaining to the board that", "nobody:", "the pentest report says",
    "friendly reminder that", "hot take:", "my threat model is simple:",
    "the vendor swears that", "incident update:",
    "every audit ever:", "the ciso at 3am realizing", "day 47 of asking why", "plot twist:",
    "unpopular opinion:", "the sla says", "breaking:", "our red team found out",
    "in this house we believe", "legal wants to know why", "overheard in the soc:",
    "my therapist asked why",
)  # fmt: skip
SUBJECTS = (
    "the printer", "the intern", "log4j", "our firewall", "the vpn", "mfa fatigue",
    "the backup tapes", "the phishing test", "patch tuesday", "zero trust", "the cloud bill",
    "shadow it", "the password policy", "the dns server", "the compliance checklist",
    "the helpdesk", "an excel macro", "the ssl certificate", "the legacy mainframe", "the siem",
    "a usb stick from the parking lot", "the admin password", "the new ai chatbot",
    "the bug bounty", "kubernetes", "the incident response plan", "the vendor questionnaire",
    "the security budget", "the ceo's iphone", "the wifi in the lobby",
)  # fmt: skip
PREDICATES = (
    "has been running windows xp since 2009", "is the real apt", "expired during the demo",
    "was stored in a sticky note", "now requires a blood sample", "clicked the link again",
    "is just a very expensive spreadsheet", "has more admins than employees",
    "still thinks 'password1' is strong", "is logging everything except the breach",
    "got ransomware before lunch", "is technically compliant", "was the attack surface all along",
    "only works on fridays", "is held together by one cron job", "passed the audit somehow",
    "is our single point of failure", "asked for my social security number",
    "needs a reboot to fix the reboot", "is vulnerable in ways science cannot explain",
    "went to the cloud and never came back", "was encrypted by someone else first",
    "is now a 12-month project", "is fine, everything is fine", "just became a blockchain",
)  # fmt: skip
ENDINGS = (
    "", "", "", "", " lol", " #infosec", " #cybersecurity", " send help", " 🔥", " 🙃",
    " #patchtuesday", " (again)", " every single time", " 🤡🔐", " #zerotrust",
)  # fmt: skip
SPANISH = (
    "el firewall otra vez caído y el lunes recién empieza",
    "nadie: absolutamente nadie: el becario con acceso de administrador",
    "la copia de seguridad existe pero nadie sabe dónde",
    "otro correo de phishing y el jefe ya hizo clic",
)  # fmt: skip
ZONES = (("UTC", "+0000", 0), ("PST", "-0800", -480), ("EDT", "-0400", -240),
         ("CET", "+0100", 60), ("IST", "+0530", 330))  # fmt: skip
FIRST_ID = 1_100_000_000_000_000_000
START = datetime(2019, 1, 1, tzinfo=UTC)


def _text(rng: random.Random, author_handles: list[str]) -> tuple[str, str]:
    """One tweet text and its language code."""
    if rng.random() < 0.04:
        return rng.choice(SPANISH), "es"
    text = f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)} {rng.choice(PREDICATES)}"
    text += rng.choice(ENDINGS)
    roll = rng.random()
    if roll < 0.10:
        text = f"@{rng.choice(author_handles)} {text}"
    elif roll < 0.13:
        text = f"RT @{rng.choice(author_handles)}: {text}"
    if rng.random() < 0.25:
        text += f"  https://t.co/{rng.getrandbits(40):010x}"
    if rng.random() < 0.05:
        text = text.replace(" and ", " &amp; ", 1).replace("the ", "the &quot;real&quot; ", 1)
    return text, "en"


def sample_rows(
    tweets: int = 20_000, authors: int = 300, seed: int = 2019
) -> Iterator[tuple]:  # fmt: skip
    """Rows for the newest ``tweets`` table, the same for the same arguments."""
    rng = random.Random(seed)
    handles = [f"{rng.choice(('sec', 'blue', 'red', 'soc', 'cyber', 'patch'))}_{i:04d}"
               for i in range(authors)]  # fmt: skip
    popularity = [math.exp(rng.gauss(1.5, 1.2)) for _ in range(authors)]
    for n in range(tweets):
        author = rng.randrange(authors)
        text, language = _text(rng, handles)
        likes = int(popularity[author] * math.exp(rng.gauss(0, 1.0)))
        retweets = int(likes * rng.random() * 0.3)
        zone, offset_text, offset = ZONES[author % len(ZONES)]
        when = START + timedelta(seconds=n * 1500 + rng.randrange(1500))
        local = when + timedelta(minutes=offset)
        tweet_id = FIRST_ID + n * 1_000_003
        yield (
            tweet_id, str(tweet_id), text, language, str(tweet_id),
            f"{local:%Y-%m-%d %H:%M:%S} {zone}", f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}",
            offset_text, "", rng.randrange(5), likes, retweets, 10_000 + author,
            str(10_000 + author), handles[author], handles[author].replace("_", " ").title(),
            f"https://twitter.com/{handles[author]}/status/{tweet_id}", "", "", "", "", "", "",
            "", 0, "", "", "", int(when.timestamp() * 1000), "", "", "",
        )  # fmt: skip


def write_twint_db(path: Path, rows: Iterator[tuple]) -> Path:
    """Write ``rows`` into a new newest-schema Twint database at ``path`` (atomically)."""
    with atomic_path(path) as tmp:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(NEWEST_TWEETS_DDL)
            placeholders = ", ".join("?" * 33)
            conn.executemany(f"INSERT OR IGNORE INTO tweets VALUES ({placeholders})", rows)
            conn.commit()
        finally:
            conn.close()
    return Path(path)


def make_sample_db(path: Path, tweets: int = 20_000, authors: int = 300, seed: int = 2019) -> Path:
    """The built-in sample database (``deepciso demo`` uses it)."""
    return write_twint_db(path, sample_rows(tweets=tweets, authors=authors, seed=seed))
