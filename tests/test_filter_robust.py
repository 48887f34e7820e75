"""The content filter against an attacker: one test per class of trick (issue 17).

Examples are our own and differ from ``bench/data/filter_dev.tsv`` (the tuning set).
"""

from __future__ import annotations

import pytest

from pipeline.contentfilter.pings import find_pings_and_links
from tests.fixtures_filter import default_filter


def profane(text: str) -> bool:
    return bool(default_filter().profanity.reasons(text))


# --- 1. invisible and look-alike characters --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "sh\u200bit on the ledger",  # zero width space
        "bi\u2060tch",  # word joiner
        "c\u00adunt",  # soft hyphen
        "fu\u115fck",  # Hangul choseong filler
        "fu\u034fck",  # combining grapheme joiner
        "wh\ufe0eore",  # variation selector
        "ꜱʜɪᴛ quarter",  # Latin small capitals
        "ɴɪɢɢᴇʀ",
        "ƒuck",  # f with hook
        "ѕսϲк my patch",  # Cyrillic and Armenian
        "𝒇𝒖𝒄𝒌 this",  # mathematical bold italic
        "🅢🅗🅘🅣",  # negative circled letters
        "🄵🅄🄲🄺",  # squared letters
        "🇸 🇭 🇮 🇹 show",  # regional indicators
        "ｃｕｎｔ",  # fullwidth
        "dμmbass",  # Greek mu
        "f̷u̷c̷k̷",  # combining overlay (strike-through text)
        "s\U000e0068\U000e0069\U000e0074 show",  # tag characters: invisible ASCII
    ],
)
def test_invisible_and_lookalike_characters_are_read_through(text):
    assert profane(text)


# --- 2. separators and symbol letters --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["f\\u\\c\\k", "f=u=c=k off", "s\t\th\t\ti\t\tt", "c  u  n  t  s", "f^u^c^k",
     "f@#k this", "b¡tches", "¢unt", "|<ikes", "w#ore", "sh1+head", "a$$h0le", "c'u'n't",
     "s\nh\ni\nt"],
)  # fmt: skip
def test_separators_and_symbols_standing_for_letters(text):
    assert profane(text)


def test_a_symbol_inside_a_word_is_not_a_handle():
    assert find_pings_and_links("what the f#@k happened").found == ()


# --- 3. vocabulary: slurs, plurals, compounds, misspellings, British insults -----------------


@pytest.mark.parametrize(
    "text",
    ["two faggots", "those trannies", "retards everywhere", "wetbacks", "pakis", "gooks",
     "the niggas", "kikes", "spastics", "mongoloids", "dykes", "poofters", "towelheads",
     "sandnigger", "fucktards", "retardbot", "ᴛʀᴀɴɴʏ", "n!ggers", "f@gs"],
)  # fmt: skip
def test_slurs_in_every_form_are_blocked(text):
    assert profane(text)


@pytest.mark.parametrize(
    "text",
    ["fuqing printer", "fkn hell mate", "fxcking auditors", "fuccboi energy", "cnuts",
     "absolute tosser", "knobheads", "bellends", "pillocks", "wankstain", "bugger off",
     "cumslut", "skanks"],
)  # fmt: skip
def test_misspellings_and_british_insults_are_blocked(text):
    assert profane(text)


# --- 4. Discord markdown ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["||sh||||it||", "__cu__nt", "**fu**cking", "~~bi~~tch", "``fu``ck", "*sh*it",
     "||__fu__||ck", "sh||i||t"],
)  # fmt: skip
def test_markdown_cannot_split_a_word(text):
    assert profane(text)


# --- 5. links and pings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["grab it at nitro-drop.top now", "verify at wallet.click today", "run installer.zip",
     "hxxp://bad[.]example/x", "bad{.}net/login", "bad [dot] org", "bad dot ru slash x",
     "bad(.)xyz", "root[at]bad[.]com", "discord . gg/abcd", "discord dot gg slash abcd",
     "ping 8.8.8.8 now", "see 10.1.2.3:8080/x", "fe80::1 is here", "[::1]/admin",
     "ｂａｄ．ｃｏｍ", "bad\u200b.com", "gооgle.com login", "xn--ggle-55da.com",
     "пример.рф/login", "<id:browse> channels", "wow@everyone", "@@here lol", "@ｈｅｒｅ",
     "@every\u00adone hi", "||@here||", "`@everyone`", "[look](hxxps://bad.com)", "t.co/abc",
     "is.gd/xyz", "bad . com", "bad。org/x", "BAD . XYZ", "bad\tdot\tru", "@\\here now",
     "javascript:alert(1)", "data:text/html;base64,AAAA", "go to b a d . c o m", "**bad**.net",
     "b||a||d.org"],
)  # fmt: skip
def test_pings_and_links_are_found_through_tricks(text):
    assert find_pings_and_links(text).found


@pytest.mark.parametrize(
    "text",
    ["1.5x faster", "v2.0 is out", "$TSLA up", "e.g. this", "i.e. that", "python 3.11.7",
     "connect the dots", "the dot com crash", "polka dot tie", "it works.It is done",
     "a 3:2 ratio", "at 10:45:30", "Ph.D. thesis", "U.S. markets", "No. 1 fan",
     "the final score was 4.5/5", "pi is 3.14159", "the .NET runtime update",
     "that was it . Next we patch"],
)  # fmt: skip
def test_ordinary_dots_and_numbers_are_not_links(text):
    assert find_pings_and_links(text).found == ()


def test_removed_links_leave_a_text_that_no_longer_links():
    verdict = default_filter().check("the printer says hi, visit bad[.]com for more memes")
    assert verdict.passed
    assert "bad" not in verdict.text and not find_pings_and_links(verdict.text).found


def test_invisible_ping_is_removed_from_the_original_text():
    verdict = default_filter().check("hey @every\u200bone the printer is down again")
    assert verdict.passed
    assert verdict.text == "hey the printer is down again"


def test_link_policy_reject_refuses_a_defanged_link():
    from pipeline.contentfilter import ContentFilter, FilterSettings

    strict = ContentFilter(FilterSettings(links="reject"))
    assert not strict.check("memes at bad dot ru slash x tonight").passed


# --- 7. degenerate output disguised ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["sell\u200b sell sеll sell sell", "ha\u2060ha\u2060ha\u2060ha\u2060ha\u2060ha\u2060ha"
     "\u2060ha\u2060ha\u2060ha\u2060ha\u2060ha\u2060ha",
     "the fed will print money forever and ever the fed will print money forever and ever"],
)  # fmt: skip
def test_disguised_repetition_is_degenerate(text):
    assert "degenerate" in " ".join(default_filter().check(text).reasons)


# --- clean texts keep passing ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["the kill chain starts with recon", "payload, shell, exploit: tuesday",
     "we crack hashes from the hash dump", "Scunthorpe beat Penistone 2-1",
     "Essex, Sussex and Middlesex report outages", "flame retardant cable trays",
     "a chink in the armour of their vpn", "the spick and span server room",
     "snigger at the vendor slides", "mustard stains on the runbook",
     "🚀🔥 the printer is back online", "株価が上がった、今日は最高の日",
     "السوق مرتفع اليوم يا أصدقاء", "השוק עלה היום חברים", "рынок растёт сегодня, друзья",
     "summa cum laude in cryptography", "version 3.11.7 ships, i.e. today",
     "rock'n'roll at the soc party", "it's a b-side of the exploit kit"],
)  # fmt: skip
def test_clean_texts_pass(text):
    verdict = default_filter().check(text)
    assert verdict.passed, verdict.reasons
    assert verdict.text == text
