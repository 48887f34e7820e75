"""Every export format through the merged build, against hand-computed corpora."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.corpus.build import BuildOptions
from pipeline.corpus.sources.detect import detect
from pipeline.corpus.sources.merge import build_from_inputs
from tests import fixtures_sources as fx
from tests.fixtures_twint import make_db


def build(tmp_path: Path, *inputs: Path, fmt: str | None = None, include_private: bool = False,
          **options):  # fmt: skip
    out = tmp_path / "out" / "model.txt"
    opts = BuildOptions(db=Path(inputs[0]), out=out, validation_fraction=0.0, **options)
    report = build_from_inputs([(Path(p), fmt) for p in inputs], opts,
                               include_private=include_private, progress=False)  # fmt: skip
    return out.read_text(encoding="utf-8").splitlines(), report


# --- X account archive ----------------------------------------------------------------------

NOTE_TEXT = "Long post start that is cut here and then it goes on to the very end of the note"


def x_tweets() -> list[dict]:
    return [
        fx.x_tweet(101, "@friend. thanks for the tip my friend", 10),
        fx.x_tweet(102, "RT @x: retweeted text is gone now", 0),
        fx.x_tweet(103, "@friend Long post start that is cut here and then it goes on… "
                        "https://t.co/xyz", 20, created="Fri Oct 13 14:58:50 +0000 2023"),
        fx.x_tweet(104, "mail me at some.one@example.com or call +1 415-555-2671 today", 5),
        fx.x_tweet(105, "&lt;3 escaped &amp; entities stay readable", 1),
        fx.x_tweet(105, "&lt;3 escaped &amp; entities stay readable", 1),
        fx.x_tweet(106, "too short", 3),
    ]  # fmt: skip


X_NOTES = [{"noteTweetId": "999", "createdAt": "2023-10-13T14:58:50.000Z",
            "updatedAt": "2023-10-13T14:58:50.000Z", "core": {"text": NOTE_TEXT}}]  # fmt: skip
X_EXPECTED = [
    "thanks for the tip my friend",
    NOTE_TEXT.lower(),
    "mail me at or call today",
    "<3 escaped & entities stay readable",
]


@pytest.mark.parametrize("shape", ["folder", "data-folder", "zip", "tweets.js"])
def test_x_archive_every_shape(tmp_path, shape):
    files = fx.x_archive_files(x_tweets(), X_NOTES)
    root = fx.write_tree(tmp_path / "archive", files)
    path = {"folder": root, "data-folder": root / "data",
            "zip": fx.write_zip(tmp_path / "twitter-2026-02-10-abc.zip", files),
            "tweets.js": root / "data" / "tweets.js"}[shape]  # fmt: skip
    lines, report = build(tmp_path, path, percentile=0)
    assert lines == X_EXPECTED
    source = report.inputs[0]
    assert source.format == "x-archive" and source.posts_read == 7
    assert source.removed["retweet"] == 1 and source.removed["duplicate_id"] == 1
    assert source.removed["too_short"] == 1 and source.kept == 4
    assert source.authors_seen == 1


def test_x_archive_2020_naming_and_unwrapped_items(tmp_path):
    tweets = [fx.x_tweet(1, "the old archive names the file tweet.js", 2)["tweet"],
              fx.x_tweet(2, "and its items may come without a wrapper", 1)]  # fmt: skip
    root = fx.write_tree(tmp_path / "a", fx.x_archive_files(tweets, naming="tweet"))
    assert detect(root) == "x-archive" and detect(root / "data" / "tweet.js") == "x-archive"
    lines, _ = build(tmp_path, root, percentile=0)
    assert lines == ["the old archive names the file tweet.js",
                     "and its items may come without a wrapper"]  # fmt: skip


def test_x_archive_percentile_on_string_counts(tmp_path):
    tweets = [fx.x_tweet(i, f"owner tweet number {i} is here", i) for i in range(1, 22)]
    root = fx.write_tree(tmp_path / "a", fx.x_archive_files(tweets))
    lines, report = build(tmp_path, root, authors=frozenset({"owner_name"}))
    assert lines == [f"owner tweet number {i} is here" for i in (18, 19, 20, 21)]
    assert report.inputs[0].removed["below_percentile"] == 17


def test_x_archive_dates(tmp_path):
    tweets = [
        fx.x_tweet(1, "a tweet from twenty eighteen", created="Wed Oct 10 20:19:24 +0000 2018"),
        fx.x_tweet(2, "a tweet from twenty twenty", created="Tue Feb 10 08:39:41 +0000 2020"),
    ]
    root = fx.write_tree(tmp_path / "a", fx.x_archive_files(tweets))
    from datetime import date

    lines, report = build(tmp_path, root, percentile=0, since=date(2019, 1, 1))
    assert lines == ["a tweet from twenty twenty"]
    assert report.inputs[0].removed["date_range"] == 1


# --- legacy tweets.csv ----------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["csv", "folder", "zip"])
@pytest.mark.parametrize("header", [fx.LEGACY_2013, fx.LEGACY_2015], ids=["2013", "2015"])
def test_legacy_csv_by_header_name(tmp_path, header, shape):
    rows = [
        {"tweet_id": "1", "timestamp": "2013-03-25 00:16:47 +0000",
         "text": "first line\nsecond line of the tweet", "expanded_urls": "http://a.example"},
        {"tweet_id": "2", "timestamp": "2013-02-12 19:36:13 +0000", "retweeted_status_id": "9",
         "text": "not a prefix retweet but marked by the column"},
        {"tweet_id": "3", "timestamp": "2012-11-01 10:00:00 +0000",
         "text": "a ragged row without urls counts too"},
    ]  # fmt: skip
    folder = tmp_path / "archive"
    (folder / "data" / "js").mkdir(parents=True)
    (folder / "data" / "js" / "user_details.js").write_text(
        'var user_details =  {\n  "screen_name" : "OldUser",\n  "full_name" : "Old"\n}'
    )
    (folder / "data" / "js" / "tweets").mkdir()
    (folder / "data" / "js" / "tweets" / "2013_01.js").write_text("Grailbird.data.x = \n []")
    path = fx.write_legacy_csv(folder / "tweets.csv", rows, header)
    if shape == "folder":
        path = folder
    elif shape == "zip":
        files = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
                 for p in folder.rglob("*") if p.is_file()}  # fmt: skip
        path = fx.write_zip(tmp_path / "tweets.zip", files)
    assert detect(path) == "twitter-csv"
    lines, report = build(tmp_path, path, percentile=99, authors=frozenset({"olduser"}))
    assert lines == ["first line second line of the tweet", "a ragged row without urls counts too"]
    source = report.inputs[0]
    assert source.format == "twitter-csv" and source.removed["retweet"] == 1
    assert source.engagement.startswith("none") and source.authors_seen == 1
    assert any("no engagement counts" in w for w in source.warnings)


# --- twscrape / snscrape / API v2 JSONL -----------------------------------------------------


def test_twscrape_jsonl(tmp_path):
    lines_in = [fx.scraped(10 + i, "alice", f"alice says thing number {i}", i, 0)
                for i in range(1, 6)]  # fmt: skip
    lines_in += [
        fx.scraped(20, "bob", "bob has one line only here", 0, 0),
        fx.scraped(21, "bob", "RT @alice: alice says thing number 5", 0, 31,
                   retweeted={"id": 15}),
        fx.scraped(15, "alice", "alice says thing number 5", 5, 0),  # a quoted tweet's repeat
    ]  # fmt: skip
    path = fx.write_jsonl(tmp_path / "tweets.jsonl", lines_in)
    assert detect(path) == "twscrape"
    lines, report = build(tmp_path, path)
    assert lines == ["alice says thing number 5", "bob has one line only here"]
    source = report.inputs[0]
    assert source.removed["duplicate_id"] == 1 and source.removed["retweet"] == 1
    assert source.removed["below_percentile"] == 4 and source.authors_seen == 2


def test_snscrape_older_fields(tmp_path):
    line = fx.scraped(1, "carol", "", 3, 1, date="2022-02-08T20:07:58+00:00")
    del line["rawContent"]
    line["content"] = "snscrape wrote content not rawContent"
    path = fx.write_jsonl(tmp_path / "snscrape.jsonl", [line])
    lines, _ = build(tmp_path, path)
    assert lines == ["snscrape wrote content not rawcontent"]


def test_twitter_api_v2_lines_and_pages(tmp_path):
    page = {"data": [fx.v2_tweet(3, "77", "eine seite mit einem tweet darin", 4, 0),
                     fx.v2_tweet(4, "77", "RT @x: ein retweet wird entfernt", 0, 9, "retweeted")],
            "includes": {"users": [{"id": "77", "username": "PageUser"}]}}  # fmt: skip
    streamed = {"data": fx.v2_tweet(5, "88", "ein gestreamter tweet kommt einzeln", 1, 0),
                "includes": {"users": [{"id": "88", "username": "Streamer"}]}}  # fmt: skip
    items = [fx.v2_tweet(1, "55", "@ardenthistorian Totaler Unsinn das alles hier", 0, 0,
                         "replied_to"), page, streamed]  # fmt: skip
    path = fx.write_jsonl(tmp_path / "v2.jsonl", items)
    assert detect(path) == "twitter-api-v2"
    assert detect(fx.write_jsonl(tmp_path / "stream.jsonl", [streamed])) == "twitter-api-v2"
    lines, report = build(tmp_path, path, languages=frozenset({"de"}))
    assert lines == ["totaler unsinn das alles hier", "eine seite mit einem tweet darin",
                     "ein gestreamter tweet kommt einzeln"]  # fmt: skip
    assert report.inputs[0].authors_seen == 3
    assert report.inputs[0].removed["retweet"] == 1
    _, report = build(tmp_path, path, authors=frozenset({"pageuser"}))
    assert report.inputs[0].kept == 1


# --- DiscordChatExporter --------------------------------------------------------------------


def dce_messages() -> list[dict]:
    return [
        fx.dce_message(1, "mlomb", "This message has reactions and words", [3, 2]),
        fx.dce_message(2, "mlomb", "<@123456> hey <:kekw:782589696621805568> look at <#456> now",
                       [1], kind="Reply"),
        fx.dce_message(3, "mlomb", "Joined the server.", kind="GuildMemberJoin"),
        fx.dce_message(4, "helperbot", "I am a bot posting stuff all day", [9], bot=True),
        fx.dce_message(5, "thomas", "", [4]),
        fx.dce_message(6, "thomas", ":kekw: this is so funny to me", [1]),
        fx.dce_message(7, "thomas", "check this ```py\nprint(1)\n``` it works fine now", [2]),
        fx.dce_message(8, "thomas", "the ending is ||he wins|| **wow** really", [3]),
        fx.dce_message(8, "thomas", "the ending is ||he wins|| **wow** really", [3]),
    ]  # fmt: skip


DCE_EXPECTED = [
    "this message has reactions and words",
    "hey look at now",
    "this is so funny to me",
    "check this it works fine now",
    "the ending is he wins wow really",
]


def test_discord_json(tmp_path):
    path = fx.write_dce_json(tmp_path / "Guild - Chat - general [5].json", dce_messages())
    assert detect(path) == "discord-json"
    lines, report = build(tmp_path, path, percentile=0)
    assert lines == DCE_EXPECTED
    removed = report.inputs[0].removed
    assert (removed["system"], removed["bot"], removed["empty"], removed["duplicate_id"]) == (
        1, 1, 1, 1
    )  # fmt: skip


def test_discord_reactions_are_the_engagement(tmp_path):
    messages = [fx.dce_message(i, "ana", f"ana message number {i} here", [n])
                for i, n in enumerate([0, 1, 0, 2, 0, 7, 1])]  # fmt: skip
    messages.append(fx.dce_message(50, "ana", "ana message with two emoji kinds", [4, 4]))
    path = fx.write_dce_json(tmp_path / "c.json", messages)
    lines, _ = build(tmp_path, path, percentile=85)
    assert lines == ["ana message number 5 here", "ana message with two emoji kinds"]


@pytest.mark.parametrize(
    "channel_type,guild", [("DirectTextChat", "0"), ("DirectGroupTextChat", "0")]
)
def test_discord_direct_messages_only_when_asked(tmp_path, channel_type, guild):
    path = fx.write_dce_json(tmp_path / "dm.json", dce_messages()[:1], channel_type=channel_type,
                             guild_id=guild)  # fmt: skip
    out = tmp_path / "out" / "model.txt"
    with pytest.raises(Exception, match="private"):
        build(tmp_path, path, percentile=0)
    assert not out.exists()
    lines, _ = build(tmp_path, path, percentile=0, include_private=True)
    assert lines == DCE_EXPECTED[:1]


def test_discord_folder_is_one_source_deduplicated_by_id(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    fx.write_dce_json(folder / "Guild - Chat - general [5].json", dce_messages()[:2])
    other = fx.dce_message(30, "zoe", "a different channel speaks here", [1])
    fx.write_dce_json(folder / "Guild - Chat - memes [6].json", [*dce_messages()[:1], other])
    (folder / "Guild - Chat - general [5].json_Files").mkdir()
    lines, report = build(tmp_path, folder, percentile=0)
    assert lines == [*DCE_EXPECTED[:2], "a different channel speaks here"]
    assert len(report.inputs) == 1 and report.inputs[0].removed["duplicate_id"] == 1


def test_discord_csv(tmp_path):
    rows = [
        ("1", "Tyrrrz#5447", "2026-09-03T10:00:00.1234567+02:00",
         "first csv message with words", "kekw (2),❤ (1)"),
        ("1", "Tyrrrz#5447", "2026-09-03T10:01:00.1234567+02:00", "Joined the server.", ""),
        ("2", "other", "01-Jan-20 01:33 AM", "an old export date format here", ""),
    ]  # fmt: skip
    path = fx.write_dce_csv(tmp_path / "Guild - general [5].csv", rows)
    assert detect(path) == "discord-csv"
    lines, report = build(tmp_path, path, percentile=0)
    assert lines == ["first csv message with words", "an old export date format here"]
    assert report.inputs[0].removed["system"] == 1
    _, report = build(tmp_path, path, percentile=0, authors=frozenset({"tyrrrz"}))
    assert report.inputs[0].kept == 1
    dm = fx.write_dce_csv(tmp_path / "Direct Messages - Private - bob [9].csv", rows[:1])
    with pytest.raises(Exception, match="private"):
        build(tmp_path, dm, percentile=0)


# --- Mastodon -------------------------------------------------------------------------------

MASTODON_HTML = (
    '<p><span class="h-card" translate="no"><a href="https://social.example/@zapdos" '
    'class="u-url mention">@<span>zapdos</span></a></span> public post about '
    '<a href="https://social.example/tags/AWS" class="mention hashtag" rel="tag">#<span>AWS'
    '</span></a> see <a href="https://example.com/page" rel="nofollow"><span class="invisible">'
    'https://</span><span class="ellipsis">example.com/pa</span><span class="invisible">ge'
    "</span></a></p><p>it&#39;s &quot;fine&quot;<br>really</p>"
)


def outbox(with_counts: bool) -> list[dict]:
    counts = {"likes": 3, "shares": 1} if with_counts else {}
    low = {"likes": 0, "shares": 0} if with_counts else {}
    return [
        fx.note_activity(1, MASTODON_HTML, to=[fx.PUBLIC], **counts),
        fx.note_activity(2, "<p>unlisted posts are kept as well</p>", to=["f"], cc=[fx.PUBLIC],
                         **low),
        fx.note_activity(3, "<p>followers only post never leaves</p>",
                         to=["https://social.example/ap/users/110/followers"], **counts),
        fx.note_activity(4, "<p>a direct message never leaves</p>",
                         to=["https://social.example/users/friend"], **counts),
        {"id": "x/activity", "type": "Announce", "actor": "https://social.example/ap/users/110",
         "published": "2024-09-01T04:55:02Z", "to": [fx.PUBLIC], "object": "https://o/1"},
    ]  # fmt: skip


MASTODON_EXPECTED = ['public post about #aws see it\'s "fine" really',
                     "unlisted posts are kept as well"]  # fmt: skip


@pytest.mark.parametrize("shape", ["outbox.json", "folder", "zip", "tar.gz"])
def test_mastodon_archive_every_shape(tmp_path, shape):
    files = fx.outbox_files(outbox(with_counts=False))
    root = fx.write_tree(tmp_path / "archive-20240505032936-7d31", files)
    path = {"outbox.json": root / "outbox.json", "folder": root,
            "zip": fx.write_zip(tmp_path / "archive.zip", files),
            "tar.gz": fx.write_tar_gz(tmp_path / "archive.tar.gz", files)}[shape]  # fmt: skip
    lines, report = build(tmp_path, path)
    assert lines == MASTODON_EXPECTED
    source = report.inputs[0]
    assert source.format == "mastodon" and source.removed["private"] == 2
    assert source.removed["retweet"] == 1 and source.engagement.startswith("none")
    assert source.authors_seen == 1


def test_mastodon_2026_counts(tmp_path):
    root = fx.write_tree(tmp_path / "a", fx.outbox_files(outbox(with_counts=True)))
    lines, report = build(tmp_path, root, percentile=90)
    assert lines == MASTODON_EXPECTED[:1]
    assert report.inputs[0].removed["below_percentile"] == 1
    _, report = build(tmp_path, root, percentile=0, authors=frozenset({"zapdos"}))
    assert report.inputs[0].kept == 2


# --- Bluesky --------------------------------------------------------------------------------


def bluesky_records() -> dict[str, dict]:
    text = "café ☕ look linkat.blue/board/bnewbo... so cool"
    start = text.encode().index(b"linkat")
    end = start + len(b"linkat.blue/board/bnewbo...")
    return {
        "app.bsky.feed.post/3kly5whjwmc2v": fx.bsky_post(text, links=[(start, end)]),
        "app.bsky.feed.post/3kly5whjwmc2w": fx.bsky_post(
            "@jacob.gold replying to a friend here", created="2023-03-30T14:34:05-07:00"),
        "app.bsky.feed.post/3kly5whjwmc2x": fx.bsky_post("too short"),
        "app.bsky.feed.like/3kly5whjwmc3a": {"$type": "app.bsky.feed.like",
                                             "subject": {"uri": "at://x", "cid": "y"}},
        "app.bsky.feed.repost/3kly5whjwmc3b": {"$type": "app.bsky.feed.repost",
                                               "subject": {"uri": "at://x", "cid": "y"}},
        "app.bsky.actor.profile/self": {"$type": "app.bsky.actor.profile", "displayName": "Me"},
        "blue.linkat.board/self": {"$type": "blue.linkat.board", "text": "not a post at all"},
        "app.bsky.feed.post/3kly5whjwmc2z": fx.bsky_post("the last post sits deepest here"),
    }  # fmt: skip


def test_bluesky_car_walks_the_repository(tmp_path):
    path = fx.write_car(tmp_path / "repo.car", bluesky_records())
    assert detect(path) == "bluesky"
    lines, report = build(tmp_path, path)
    assert lines == ["café ☕ look so cool", "replying to a friend here",
                     "the last post sits deepest here"]  # fmt: skip
    source = report.inputs[0]
    assert source.posts_read == 4 and source.removed["too_short"] == 1
    assert source.authors_seen == 1 and source.engagement.startswith("none")
    _, report = build(tmp_path, path, authors=frozenset({"did:plc:testowner"}))
    assert report.inputs[0].kept == 3


def test_bluesky_language_and_dates(tmp_path):
    from datetime import date

    records = bluesky_records()
    records["app.bsky.feed.post/3kly5whjwmc2y"] = fx.bsky_post(
        "ein deutscher post steht hier", langs=["de"])  # fmt: skip
    path = fx.write_car(tmp_path / "repo.car", records)
    lines, _ = build(tmp_path, path, languages=frozenset({"de"}))
    assert lines == ["ein deutscher post steht hier"]
    lines, _ = build(tmp_path, path, until=date(2023, 3, 30))
    assert lines == ["replying to a friend here"]


# --- generic CSV / JSONL / text -------------------------------------------------------------


def test_generic_csv_jsonl_and_text(tmp_path):
    csv_path = tmp_path / "dump.csv"
    csv_path.write_text('id,Author,Text,likes,reposts,created_at\n1,@Ann,"a generic csv post '
                        'here",5,0,2024-01-02 03:04:05\n2,ann,"a weaker csv post here",0,0,'
                        "2024-01-02T03:04:05Z\n", encoding="utf-8")  # fmt: skip
    jsonl = fx.write_jsonl(tmp_path / "dump.jsonl", [
        {"text": "a jsonl post with no author", "likes": 1},
        {"text": "another jsonl line to read", "language": "EN"},
    ])  # fmt: skip
    text = tmp_path / "lines.txt"
    text.write_text("one post per line here\n\nsecond post on this line\n", encoding="utf-8")
    assert [detect(p) for p in (csv_path, jsonl, text)] == ["csv", "jsonl", "text"]
    lines, report = build(tmp_path, csv_path, jsonl, text, percentile=50)
    assert lines == ["a generic csv post here", "a jsonl post with no author",
                     "one post per line here", "second post on this line"]  # fmt: skip
    assert [s.authors_seen for s in report.inputs] == [1, 1, 1]
    assert report.inputs[2].engagement.startswith("none")


# --- merged sources and the command line ----------------------------------------------------


def test_merged_sources_deduplicate_text_and_rank_per_source(tmp_path):
    root = fx.write_tree(tmp_path / "x", fx.x_archive_files(x_tweets(), X_NOTES))
    repeat = fx.dce_message(40, "mlomb", "Thanks for the tip my friend", [1])
    dce = fx.write_dce_json(tmp_path / "c.json", [*dce_messages(), repeat])
    db = tmp_path / "t.db"
    make_db(db, "newest", [{"id": 7, "author": "tw", "text": "this message has reactions and "
                            "words", "likes": 1, "retweets": 0}])  # fmt: skip
    lines, report = build(tmp_path, root, dce, db, percentile=0)
    assert lines == X_EXPECTED + DCE_EXPECTED
    assert [s.format for s in report.inputs] == ["x-archive", "discord-json", "twint"]
    assert report.inputs[1].removed["duplicate_text"] == 1
    assert report.inputs[2].removed["duplicate_text"] == 1


def test_twint_through_the_merge_matches_the_sql_build(tmp_path):
    from tests.test_corpus_build import EXPECTED_PERCENTILE, rows_percentile

    db = tmp_path / "t.db"
    make_db(db, "old", rows_percentile())
    lines, report = build(tmp_path, db)
    assert lines == EXPECTED_PERCENTILE
    assert report.inputs[0].removed["below_percentile"] == 21 - 4 + 5 - 1


def test_cli_inputs_authors_files_and_report(tmp_path, capsys):
    root = fx.write_tree(tmp_path / "x", fx.x_archive_files(x_tweets(), X_NOTES))
    dce = fx.write_dce_json(tmp_path / "c.json", dce_messages())
    keep = tmp_path / "keep.txt"
    keep.write_text("# the community\n@Owner_Name\nmlomb\n\n", encoding="utf-8")
    drop = tmp_path / "drop.txt"
    drop.write_text("mlomb\n", encoding="utf-8")
    out = tmp_path / "model.txt"
    status = main(["build", "--input", str(root), "--input", str(dce), "--out", str(out),
                   "--percentile", "0", "--validation", "0", "--authors-file", str(keep),
                   "--exclude-authors-file", str(drop)])  # fmt: skip
    assert status == 2  # a handle in both files is refused
    drop.write_text("thomas\n", encoding="utf-8")
    status = main(["build", "--input", str(root), "--input", str(dce), "--out", str(out),
                   "--percentile", "0", "--validation", "0", "--authors-file", str(keep),
                   "--exclude-authors-file", str(drop)])  # fmt: skip
    assert status == 0
    assert out.read_text(encoding="utf-8").splitlines() == X_EXPECTED + DCE_EXPECTED[:2]
    report = json.loads((tmp_path / "model.report.json").read_text(encoding="utf-8"))
    assert [(s["format"], s["kept"]) for s in report["inputs"]] == [
        ("x-archive", 4), ("discord-json", 2)]  # fmt: skip
    assert report["inputs"][1]["removed"]["author"] == 3
    printed = capsys.readouterr().out
    assert "X account archive" in printed and "DiscordChatExporter JSON" in printed


def test_cli_format_forces_a_reader(tmp_path):
    log = tmp_path / "posts.log"
    log.write_text("a log file read as plain text\n", encoding="utf-8")
    out = tmp_path / "model.txt"
    assert main(["build", "--input", str(log), "--out", str(out), "--quiet"]) == 2
    assert main(["build", "--input", str(log), "--format", "text", "--out", str(out),
                 "--quiet", "--validation", "0"]) == 0  # fmt: skip
    assert out.read_text(encoding="utf-8") == "a log file read as plain text\n"


def test_forced_format_reads_a_folder_of_files(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    fx.write_dce_json(folder / "a.json", dce_messages()[:1])
    fx.write_dce_json(folder / "b.json", [fx.dce_message(30, "zoe", "a second channel file", [1])])
    lines, report = build(tmp_path, folder, fmt="discord-json", percentile=0)
    assert lines == [DCE_EXPECTED[0], "a second channel file"]
    assert report.inputs[0].format == "discord-json"


def test_filters_a_source_cannot_apply_are_reported(tmp_path):
    from datetime import date

    dce = fx.write_dce_json(tmp_path / "c.json", dce_messages())
    text = tmp_path / "lines.txt"
    text.write_text("a plain line with no date at all\n", encoding="utf-8")
    lines, report = build(tmp_path, dce, percentile=0, languages=frozenset({"en"}))
    assert lines == DCE_EXPECTED
    assert any("--language ignored" in w for w in report.inputs[0].warnings)
    with pytest.raises(Exception, match="date_range"):
        build(tmp_path, text, since=date(2020, 1, 1))
    lines, report = build(tmp_path, dce, text, percentile=0, since=date(2018, 5, 20),
                          until=date(2018, 5, 20))  # fmt: skip
    assert lines == DCE_EXPECTED
    assert any("carries no dates" in w for w in report.inputs[1].warnings)


def test_keep_options_apply_to_every_source(tmp_path):
    root = fx.write_tree(tmp_path / "x", fx.x_archive_files(x_tweets(), X_NOTES))
    outbox_root = fx.write_tree(tmp_path / "m", fx.outbox_files(outbox(with_counts=False)))
    repeat = fx.dce_message(40, "mlomb", "Thanks for the tip my friend", [1])
    dce = fx.write_dce_json(tmp_path / "c.json", [repeat])
    lines, report = build(tmp_path, root, outbox_root, dce, percentile=0, drop_retweets=False,
                          lowercase=False)  # fmt: skip
    assert lines == [
        "thanks for the tip my friend", "RT @x: retweeted text is gone now", NOTE_TEXT,
        "mail me at or call today", "<3 escaped & entities stay readable",
        'public post about #AWS see it\'s "fine" really', "unlisted posts are kept as well",
        "Thanks for the tip my friend",
    ]  # fmt: skip
    assert report.inputs[1].removed["retweet"] == 1  # a boost has no text: skipped anyway
    lines, report = build(tmp_path, root, dce, percentile=0)
    assert lines.count("thanks for the tip my friend") == 1
    lines, report = build(tmp_path, root, dce, percentile=0, drop_duplicates=False)
    assert lines.count("thanks for the tip my friend") == 2
