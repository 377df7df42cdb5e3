"""Tests for newsscope.clean: golden tests on the five sample files, one small fixture per rule."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from newsscope.clean import (
    Cleaned,
    clean_html,
    clean_record,
    clean_text,
    load_boilerplate,
    load_outlets,
    normalise_whitespace,
    outlet_for,
    parse_date,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "raw"
POLNEAR = ROOT.parent / "shared" / "corpus" / "polnear_train.jsonl"
SAMPLE_FILES = sorted(path.name for path in SAMPLE.glob("*.txt"))

# A paragraph long enough to count as running text, used to end lists and fill fixtures.
PARA = "The minister said on Tuesday that the talks would continue next week in the capital."
PARA2 = "Officials from both countries declined to comment on the report when asked by reporters."


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def cleaned_samples() -> dict[str, Cleaned]:
    return {name: clean_text((SAMPLE / name).read_text(encoding="utf-8")) for name in SAMPLE_FILES}


# --- golden tests on the sample articles -------------------------------------------------------


def test_all_sample_files_present(seeds_gold: dict) -> None:
    assert SAMPLE_FILES == sorted(seeds_gold["articles"])


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_metadata(name: str, cleaned_samples: dict[str, Cleaned], seeds_gold: dict) -> None:
    gold = seeds_gold["articles"][name]
    cleaned = cleaned_samples[name]
    assert cleaned.outlet == gold["outlet"]
    assert cleaned.title == gold["title"]
    expected = datetime.date.fromisoformat(gold["published"]) if gold["published"] else None
    assert cleaned.published == expected
    assert cleaned.published_source == ("text" if expected else None)
    assert cleaned.url is None


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_chrome_removed_text_kept(name: str, cleaned_samples: dict[str, Cleaned], seeds_gold: dict) -> None:
    gold = seeds_gold["articles"][name]
    body = cleaned_samples[name].body
    for chrome in gold.get("must_not_contain", []):
        assert chrome not in body, f"chrome {chrome!r} left in the body of {name}"
    for text in gold.get("must_contain", []):
        assert text in body, f"article text {text!r} lost from {name}"
    for quote in gold["quotes"]:
        assert quote["content"] in body, f"gold quote no longer verbatim in {name}: {quote['content'][:60]!r}"


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_body_shape(name: str, cleaned_samples: dict[str, Cleaned], seeds_gold: dict) -> None:
    cleaned = cleaned_samples[name]
    lines = cleaned.body.split("\n")
    if cleaned.title:
        assert lines[0] == cleaned.title
        assert cleaned.body.count(cleaned.title) == 1, "the headline is kept once"
    assert "\n\n\n" not in cleaned.body
    assert all(line == line.strip() for line in lines)
    assert not any(word in cleaned.body for word in seeds_gold["not_actors"] if word not in ("India", "Modi"))


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_paragraphs_verbatim(name: str, cleaned_samples: dict[str, Cleaned]) -> None:
    """Every kept line is a whole line of the raw file (after the lifted header), never rewritten."""
    raw_lines = {line.strip() for line in (SAMPLE / name).read_text(encoding="utf-8").splitlines()}
    for line in cleaned_samples[name].body.split("\n"):
        if line and line not in raw_lines:
            assert any(raw.endswith(line) for raw in raw_lines), f"line rewritten: {line[:60]!r}"


def test_rt_page_keeps_every_paragraph(cleaned_samples: dict[str, Cleaned]) -> None:
    raw = (SAMPLE / "003_f1fccfd0c4ae766e.txt").read_text(encoding="utf-8")
    start = raw.index("The recent rapprochement")
    end = raw.index("in the region.", start) + len("in the region.")
    body = cleaned_samples["003_f1fccfd0c4ae766e.txt"].body
    # The story runs from there to its last paragraph, minus one "Read more" link to another story.
    related = "Kim Jong-un tests North Korea’s ‘nuclear trigger’ (PHOTOS)"
    story = raw[start:end].replace(f"{related}\nRead more\n{related}\n", "")
    assert story != raw[start:end]
    assert body.endswith(normalise_whitespace(story))
    standfirst = "Close ties with Moscow have granted Pyongyang a “luster of legitimacy” that it should not have"
    assert standfirst in body


# --- one fixture per chrome rule ---------------------------------------------------------------

CHROME_CASES = [
    pytest.param(
        f"icon bookmarkicon cameraicon checkicon chevron downicon closeicon searchicon shareicon\n{PARA}",
        ["bookmarkicon", "chevron"],
        id="icon-line",
    ),
    pytest.param(f"HomeBusiness News\n\n{PARA}", ["HomeBusiness"], id="breadcrumb-run-together"),
    pytest.param(f"Home > World > Asia\n{PARA}", ["Home >"], id="breadcrumb-separated"),
    pytest.param(
        f"{PARA}\n\nPutin meets Kim in Vladivostok (VIDEO)\nRead more\n"
        f"Putin meets Kim in Vladivostok (VIDEO)\n\n{PARA2}",
        ["Read more", "Vladivostok"],
        id="read-more-with-repeated-headline",
    ),
    pytest.param(f"{PARA}\nRead more\nSeoul scrambles jets after drone sighting\n{PARA2}", ["Read more", "Seoul"],
                 id="read-more-headline-after"),
    pytest.param(f"{PARA}\nRead more: Seoul scrambles jets after drone sighting\n{PARA2}", ["Read more", "Seoul"],
                 id="read-more-inline"),
    pytest.param(
        f"{PARA}\n\nTop stories\n\nWhy the south is tough terrain for the leader\n"
        "Opposition party is struggling. Here’s why\n"
        f"Markets slide as oil jumps FEATURE\n\n{PARA2}",
        ["Top stories", "tough terrain", "struggling", "FEATURE"],
        id="top-stories-block",
    ),
    pytest.param(
        f"{PARA}\nPodcasts\nAll podcasts\nThe P. Diddy files\n0:00\n28:37\n"
        "Where the money went this weekend\n1:02:03\n",
        ["Podcasts", "Diddy", "0:00", "28:37", "money went", "1:02:03"],
        id="podcast-list-and-timestamps",
    ),
    pytest.param(f"{PARA}\nالعربيةespрусdefrrs\n", ["العربية", "рус"], id="language-switcher"),
    pytest.param(f"{PARA}\nRT News App\nAdd Comment", ["RT News App", "Add Comment"], id="app-and-comment-widgets"),
    pytest.param(
        f"{PARA}\nThis website uses cookies. Read RT Privacy policy to find out more.\nAccept cookies",
        ["cookies"],
        id="cookie-banner",
    ),
    pytest.param(
        f"{PARA}\nSouth Korean soldiers patrol the border (File photo). © Sputnik / Alexey Nikolsky\n{PARA2}",
        ["Sputnik", "File photo"],
        id="photo-credit-caption",
    ),
    pytest.param(f"{PARA}\nPhoto: AFP/Jim Watson\n{PARA2}", [], id="bare-credit-line-kept-unless-listed"),
    pytest.param(f"{PARA}\n© 2024 Example Times. All rights reserved.", ["©", "rights reserved"],
                 id="copyright-line"),
    pytest.param(f"{PARA}\nCopyright 2016 The Associated Press. All rights reserved.", ["Associated Press"],
                 id="copyright-word"),
]


@pytest.mark.parametrize(("raw", "absent"), CHROME_CASES)
def test_chrome_rule(raw: str, absent: list[str]) -> None:
    body = clean_text(raw).body
    for chrome in absent:
        assert chrome not in body
    assert PARA in body
    if PARA2 in raw:
        assert PARA2 in body


ARTICLE_TEXT_KEPT = [
    pytest.param("Copyright infringement is rising fast, the ministry said in its annual report on Monday.",
                 id="paragraph-starting-with-copyright"),
    pytest.param("The rule in section 5(c) of the act applies to all the members of the committee.",
                 id="paragraph-with-(c)"),
    pytest.param("The logo, marked © Example Corp, was shown to the court during the hearing on Monday.",
                 id="paragraph-mentioning-©"),
    pytest.param("He said that all rights reserved to the states would be respected by the new government.",
                 id="paragraph-mentioning-rights-reserved"),
    pytest.param("Share prices fell 3% on Tuesday after the announcement, the exchange said.", id="starts-with-share"),
    pytest.param("Home prices rose again in April, the agency said in a report published on Friday.",
                 id="starts-with-home"),
    pytest.param("6:01 p.m.", id="live-blog-time-with-suffix"),
    pytest.param("What preceded it", id="subheading"),
    pytest.param("Read more about the plan on the ministry’s website, the spokesman told reporters.",
                 id="read-more-in-a-sentence"),
]


@pytest.mark.parametrize("paragraph", ARTICLE_TEXT_KEPT)
def test_article_text_is_not_chrome(paragraph: str) -> None:
    raw = f"{PARA}\n\n{paragraph}\n\n{PARA2}"
    cleaned = clean_text(raw)
    assert cleaned.body == raw
    assert cleaned.outlet is None and cleaned.published is None


# --- header fields lifted into metadata --------------------------------------------------------

METADATA_CASES = [
    pytest.param(f" date 2024-05-01 (MENAFN) {PARA}", "MENAFN", datetime.date(2024, 5, 1), PARA, id="menafn-header"),
    pytest.param(f"(MENAFN) {PARA}", "MENAFN", None, PARA, id="tag-only"),
    pytest.param(f"WASHINGTON (Reuters) - {PARA}", "Reuters", None, PARA, id="wire-dateline"),
    pytest.param(f"(XYZNEWS) {PARA}", "XYZNEWS", None, PARA, id="unknown-all-caps-tag"),
    pytest.param(f"(Some aside) {PARA}", None, None, f"(Some aside) {PARA}", id="parenthesis-is-not-a-tag"),
    pytest.param(f"UN (UNSC) members met. {PARA}", None, None, f"UN (UNSC) members met. {PARA}",
                 id="acronym-is-not-a-wire-dateline"),
    pytest.param(f"KYIV, Ukraine (AP) — {PARA}", "AP", None, PARA, id="wire-dateline-with-country"),
    pytest.param(f"Headline of the story here\n23 Apr, 2024 11:21\n{PARA}", None, datetime.date(2024, 4, 23),
                 f"Headline of the story here\n{PARA}", id="dateline"),
    pytest.param(f"Published: May 2, 2024\n{PARA}", None, datetime.date(2024, 5, 2), PARA, id="published-label"),
    pytest.param(f"Updated: May 2, 2024\n{PARA}", None, None, PARA, id="updated-is-not-published"),
    pytest.param(f"{PARA}\n© Autonomous Nonprofit Organization “TV-Novosti”, 2005–2024. All rights reserved.",
                 "RT", None, PARA, id="rt-copyright"),
    pytest.param(f"{PARA}\n© 2024 Example Times. All rights reserved.", "Example Times", None, PARA,
                 id="unmapped-copyright-holder"),
    pytest.param(f" date 2024-02-30 {PARA}", None, None, PARA, id="impossible-header-date"),
    pytest.param(PARA, None, None, PARA, id="nothing-to-lift"),
]


@pytest.mark.parametrize(("raw", "outlet", "published", "body"), METADATA_CASES)
def test_metadata_lifted(raw: str, outlet: str | None, published: datetime.date | None, body: str) -> None:
    cleaned = clean_text(raw)
    assert (cleaned.outlet, cleaned.published, cleaned.body) == (outlet, published, body)
    assert cleaned.published_source == ("text" if published else None)


# --- the headline ------------------------------------------------------------------------------

TITLE_CASES = [
    pytest.param(f"Austin warns of growing nexus\n{PARA}", "Austin warns of growing nexus", id="first-line-headline"),
    pytest.param(f"“We will not back down,” says minister\n{PARA}", "“We will not back down,” says minister",
                 id="headline-opening-with-quote"),
    pytest.param(f"{PARA}\n{PARA2}", None, id="starts-with-sentence"),
    pytest.param(f"The minister spoke.\n{PARA}", None, id="short-sentence-with-full-stop"),
    pytest.param(f"Politics\n{PARA}", None, id="one-word-label"),
    pytest.param(
        f"Other story about an unrelated topic – official\n23 Apr, 2024 11:21\nHomeWorld News\n\n"
        f"This story’s own headline – senior diplomat\n\n{PARA}",
        "This story’s own headline – senior diplomat",
        id="sidebar-above-navigation",
    ),
    pytest.param(
        f"HomeWorld News\nStandfirst line that sums the story up, the minister has said\n"
        f"The story headline shown twice\nThe story headline shown twice\n{PARA}",
        "The story headline shown twice",
        id="repeated-headline-wins",
    ),
    pytest.param(f"{PARA}\nA subheading inside the story\n{PARA2}", None, id="subheading-is-not-title"),
]


@pytest.mark.parametrize(("raw", "title"), TITLE_CASES)
def test_title(raw: str, title: str | None) -> None:
    cleaned = clean_text(raw)
    assert cleaned.title == title
    if title:
        assert cleaned.body.split("\n")[0] == title
        assert cleaned.body.count(title) == 1
    assert "Other story" not in cleaned.body


# --- whole pages from other sites of the same kinds (made up, in their layouts) -----------------

DOD_PAGE = f"""HomeNewsNews Stories
Austin Says North Korean Troops Are in Russia
Oct. 23, 2024 |
By Jim Garamone, DOD News
Share:
Facebook
X
LinkedIn
Email
Copy Link
{PARA}
{PARA2}
Add Comment"""

MENAFN_PAGE = f""" date 2024-04-23 (MENAFN- Jordan Times) AMMAN — {PARA}



{PARA2}
MENAFN23042024000028011005ID1108129191
Legal Disclaimer:
MENAFN provides the information “as is” without warranty of any kind. We do not accept any responsibility."""

RT_PAGE = f"""icon bookmark-bicon bookmarkicon cameraicon checkicon chevron downicon closeicon searchicon
Kremlin comments on an unrelated matter – Peskov
2 May, 2024 09:15
HomeRussia & FSU

Moscow and Pyongyang sign new deal – media

The agreement covers energy and transport, the outlet reports
Russian and North Korean flags in Moscow. ©  Sputnik / Alexey Nikolsky

{PARA}

{PARA2}

You can share this story on social media:
Follow RT on Telegram
© Autonomous Nonprofit Organization “TV-Novosti”, 2005–2024. All rights reserved."""

PAGE_CASES = [
    pytest.param(DOD_PAGE, "Austin Says North Korean Troops Are in Russia", None, datetime.date(2024, 10, 23),
                 ["Home", "Share", "Facebook", "LinkedIn", "Copy Link", "Add Comment", "\nX\n"], id="dod"),
    pytest.param(MENAFN_PAGE, None, "MENAFN", datetime.date(2024, 4, 23),
                 ["MENAFN", "Jordan Times", "Disclaimer", "as is", "responsibility"], id="menafn"),
    pytest.param(RT_PAGE, "Moscow and Pyongyang sign new deal – media", "RT", datetime.date(2024, 5, 2),
                 ["icon", "Kremlin", "Home", "Sputnik", "share this story", "Telegram", "Novosti"],
                 id="rt-headline-shown-once"),
]


@pytest.mark.parametrize(("raw", "title", "outlet", "published", "absent"), PAGE_CASES)
def test_whole_page(
    raw: str, title: str | None, outlet: str | None, published: datetime.date, absent: list[str]
) -> None:
    cleaned = clean_text(raw)
    assert (cleaned.title, cleaned.outlet, cleaned.published) == (title, outlet, published)
    assert PARA in cleaned.body and PARA2 in cleaned.body
    assert cleaned.body.endswith(PARA2)
    if title:
        assert cleaned.body.startswith(title + "\n")
    for chrome in absent:
        assert chrome not in cleaned.body


# --- whitespace --------------------------------------------------------------------------------

WHITESPACE_CASES = [
    pytest.param(f"{PARA}   \r\n\r\n\r\n\r\n{PARA2}\r\n", f"{PARA}\n\n{PARA2}", id="crlf-and-blank-run"),
    pytest.param(f"\n\n  {PARA}\t\n{PARA2}  \n\n", f"{PARA}\n{PARA2}", id="edges-and-tabs"),
    pytest.param("He said “no”  –  twice. ‘Really’ it was,\u00a0he added, in a sentence that goes on.",
                 "He said “no”  –  twice. ‘Really’ it was,\u00a0he added, in a sentence that goes on.",
                 id="inside-paragraph-untouched"),
]


@pytest.mark.parametrize(("raw", "expected"), WHITESPACE_CASES)
def test_whitespace(raw: str, expected: str) -> None:
    assert clean_text(raw).body == expected
    assert clean_record(raw).body == expected
    assert normalise_whitespace(raw) == expected


# --- HTML --------------------------------------------------------------------------------------

HTML_PAGE = """<!doctype html><html><head><title>Pentagon warns on DPRK | Example Times</title>
<meta property="og:title" content="Pentagon warns on DPRK">
<meta property="og:site_name" content="Example Times">
<meta property="article:published_time" content="2024-04-23T11:21:00Z">
<script>var tracker = "SCRIPTTEXT";</script><style>.lead {color: red} /* STYLETEXT */</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World News</a></nav>
<article><h1>Pentagon warns on DPRK</h1>
<p>The Pentagon warned on Monday that North Korea is expanding its arsenal faster than expected, officials said.</p>
<iframe src="https://ads.example.com/frame">IFRAMETEXT</iframe>
<p>“We are deeply concerned,” the secretary said in a statement that was read out to reporters in full.</p>
<script>document.write("SCRIPT2")</script>
<p>Read more</p>
<p>A third paragraph gives details on the matter that the reader may need to know about.</p>
<noscript>NOSCRIPTTEXT</noscript></article>
<footer>© 2024 Example Times. All rights reserved.</footer></body></html>"""


def test_html_main_text_and_metadata() -> None:
    cleaned = clean_html(HTML_PAGE, url="https://example.com/world/pentagon-dprk")
    for leaked in ("SCRIPTTEXT", "STYLETEXT", "IFRAMETEXT", "SCRIPT2", "NOSCRIPTTEXT", "tracker", "Read more", "©"):
        assert leaked not in cleaned.body
    assert "“We are deeply concerned,” the secretary said" in cleaned.body
    assert "A third paragraph gives details" in cleaned.body
    assert cleaned.body.split("\n")[0] == "Pentagon warns on DPRK"
    assert cleaned.title == "Pentagon warns on DPRK"
    assert cleaned.published == datetime.date(2024, 4, 23)
    assert cleaned.published_source == "html"
    assert cleaned.outlet == "Example Times"
    assert cleaned.url == "https://example.com/world/pentagon-dprk"


def test_html_title_from_metadata_is_not_put_in_the_body() -> None:
    page = HTML_PAGE.replace("<h1>Pentagon warns on DPRK</h1>", "").replace("Example Times", "RT International")
    cleaned = clean_html(page)
    assert cleaned.title == "Pentagon warns on DPRK"
    assert cleaned.body.startswith("The Pentagon warned on Monday")
    assert cleaned.outlet == "RT"  # site name mapped through outlets.csv


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("", id="empty"),
        pytest.param("<html><head><script>alert(1)</script></head><body><script>x()</script></body></html>",
                     id="only-script"),
        pytest.param("<html><body><iframe src='x'></iframe><style>p{}</style></body></html>", id="only-iframe"),
    ],
)
def test_html_without_text_gives_empty_body(html: str) -> None:
    cleaned = clean_html(html, url="https://example.com/x")
    assert cleaned.body == ""
    assert cleaned.url == "https://example.com/x"


def test_html_without_date_invents_none() -> None:
    page = HTML_PAGE.replace('<meta property="article:published_time" content="2024-04-23T11:21:00Z">', "")
    cleaned = clean_html(page)
    assert cleaned.published is None and cleaned.published_source is None


# --- parse_date --------------------------------------------------------------------------------

NEXT_YEAR_PLUS = (datetime.date.today() + datetime.timedelta(days=400)).isoformat()

DATE_CASES = [
    ("2024-05-01", datetime.date(2024, 5, 1)),
    ("2024-05-01T10:00:00Z", datetime.date(2024, 5, 1)),
    ("2024-05-01T23:30:00-05:00", datetime.date(2024, 5, 1)),
    ("2024-05-01 10:00", datetime.date(2024, 5, 1)),
    ("May 1, 2024", datetime.date(2024, 5, 1)),
    ("Sept. 5, 2016", datetime.date(2016, 9, 5)),
    ("1 May 2024", datetime.date(2024, 5, 1)),
    ("23 Apr, 2024 11:21", datetime.date(2024, 4, 23)),
    ("01/05/2024", datetime.date(2024, 5, 1)),
    ("05/13/2024", datetime.date(2024, 5, 13)),
    ("Wed, 01 May 2024 10:00:00 GMT", datetime.date(2024, 5, 1)),
    ("Tuesday, April 23, 2024 at 11:21 AM EDT", datetime.date(2024, 4, 23)),
    ("  2016-11-08  ", datetime.date(2016, 11, 8)),
    ("29/02/2024", datetime.date(2024, 2, 29)),
    ("32/13/2024", None),
    ("29/02/2023", None),
    ("2024-13-45", None),
    ("1750-01-01", None),
    (NEXT_YEAR_PLUS, None),
    ("yesterday", None),
    ("2 days ago", None),
    ("May 2024", None),
    ("2024", None),
    ("", None),
    ("not a date", None),
]


@pytest.mark.parametrize(("value", "expected"), DATE_CASES)
def test_parse_date(value: str, expected: datetime.date | None) -> None:
    assert parse_date(value) == expected


# --- records -----------------------------------------------------------------------------------

# Three records in the shape of polnear_train.jsonl (texts shortened), with whitespace made messy.
RECORDS = [
    {
        "title": "O’Malley campaign to shift staff, resources to Iowa",
        "text": "O’Malley campaign to shift staff, resources to Iowa.\n\nDALLAS (AP) — Democratic presidential "
        "candidate Martin O’Malley is shifting staff and resources to Iowa as his campaign struggles to raise "
        "money.  \r\n\r\n\r\n“We’re going to win,” he said.\n",
    },
    {
        "title": "The Latest: Cruz to give away engraved shotgun",
        "text": "The Latest: Cruz to give away engraved shotgun.\n\nWASHINGTON (AP) — The latest on President "
        "Barack Obama’s executive actions (all times EST):\n\n\n\n6:01 p.m.\n\n"
        "Ted Cruz is giving away a shotgun.\n\n___.",
    },
    {
        "title": "  Wash Post Fact-Check: If Obama Says It, It’s True ",
        "text": "\n\tWash Post Fact-Check: If Obama Says It, It’s True.\n\nIf Republicans choose to not believe "
        "Liar-of the Year Barack Obama, the documented fact-checking frauds\u00a0at the Washington Post "
        "will now award you",
    },
]


@pytest.mark.parametrize("record", RECORDS, ids=["ap-dateline", "live-blog", "messy-title"])
def test_clean_record_changes_only_whitespace(record: dict[str, str]) -> None:
    cleaned = clean_record(record["text"], record["title"])
    assert words(cleaned.body) == words(record["text"])
    assert cleaned.body == cleaned.body.strip() and "\n\n\n" not in cleaned.body and "\r" not in cleaned.body
    assert cleaned.body.startswith(words(record["title"]) + ".")  # the repeated title stays
    assert cleaned.title == words(record["title"])
    assert (cleaned.outlet, cleaned.published, cleaned.published_source, cleaned.url) == (None, None, None, None)


def test_clean_record_without_title() -> None:
    assert clean_record("  Text.  ", "   ") == Cleaned(body="Text.")


def test_polnear_corpus_clean_text_removes_nothing() -> None:
    """On an already clean corpus, clean_record and even clean_text change whitespace only."""
    if not POLNEAR.exists():
        pytest.skip(f"{POLNEAR} not present (the shared dev data sits beside the repository)")
    lines = POLNEAR.read_text(encoding="utf-8").splitlines()[::4]  # 210 articles: fast, all 7 outlets
    for line in lines:
        record = json.loads(line)
        assert words(clean_record(record["text"], record["title"]).body) == words(record["text"]), record["id"]
        cleaned = clean_text(record["text"])
        assert cleaned.body == normalise_whitespace(record["text"]), record["id"]
        assert (cleaned.outlet, cleaned.published) == (None, None), record["id"]


# --- resources ---------------------------------------------------------------------------------


def test_packaged_resources_load() -> None:
    rules = load_boilerplate()
    assert "read more" in rules.related and "top stories" in rules.blocks and "add comment" in rules.phrases
    assert rules.patterns and rules.captions
    assert {rule.outlet for rule in load_outlets()} >= {"RT", "MENAFN"}


@pytest.mark.parametrize(
    ("name", "outlet"),
    [
        ("Autonomous Nonprofit Organization “TV-Novosti”, 2005–2024", "RT"),
        ("MENAFN", "MENAFN"),
        ("The Associated Press", "AP"),
        ("Art Gallery News", None),  # "AP"/"RT" must match whole words only
        ("Example Times", None),
    ],
)
def test_outlet_for(name: str, outlet: str | None) -> None:
    assert outlet_for(name) == outlet


def test_custom_boilerplate_file(tmp_path: Path) -> None:
    path = tmp_path / "boilerplate.txt"
    path.write_text("# mine\nSponsored\nblock: Elsewhere\nrelated: Go to\nre: \\[\\d+\\]\ncaption: .+ Pic: .+\n",
                    encoding="utf-8")
    rules = load_boilerplate(path)
    assert rules.phrases == {"sponsored"} and rules.blocks == {"elsewhere"} and rules.related == {"go to"}
    assert rules.patterns[0].fullmatch("[12]") and rules.captions[0].fullmatch("A dog. Pic: AP")


@pytest.mark.parametrize(
    ("loader", "content", "message"),
    [
        (load_boilerplate, "re: (unclosed\n", "bad pattern"),
        (load_outlets, "# comment\nname,outlet\nRT,RT\n", "columns"),
    ],
    ids=["bad-regex", "bad-csv-header"],
)
def test_bad_resource_files_name_the_problem(loader, content: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "resource"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        loader(path)
