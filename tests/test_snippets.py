"""Snippets: the window holding the most query words, HTML-safe, cut in bounded time from any unit."""
from __future__ import annotations

from indexer.snippets import MAX_SOURCE, make_snippet, plain_snippet


def test_the_window_with_the_most_distinct_words_is_chosen():
    text = "纳税人应当缴纳税款。" * 30 + "逾期缴纳的，从滞纳税款之日起，按日加收滞纳税款万分之五的滞纳金。" + "其他规定。" * 30
    snippet = make_snippet(text, ["滞纳金", "税款", "逾期"])
    assert "<mark>滞纳金</mark>" in snippet and "<mark>逾期</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")


def test_markup_in_the_text_is_escaped():
    assert make_snippet("第一条 <script>alert(1)</script> 税款", ["税款"]) == \
        "第一条 &lt;script&gt;alert(1)&lt;/script&gt; <mark>税款</mark>"
    assert plain_snippet(make_snippet("缴纳税款", ["税款"])) == "缴纳【税款】"


def test_a_huge_unit_with_a_match_every_few_characters_gives_a_snippet():
    """A unit of two million characters with a million matches (a file that is one long line):
    one pass over the matches of the first ``MAX_SOURCE`` characters (was: every pair of matches)."""
    snippet = make_snippet("税款" * 1_000_000, ["税款", "纳税人"])
    assert snippet.startswith("<mark>税款</mark>") and snippet.endswith("…")
    assert make_snippet("甲" * (MAX_SOURCE + 10) + "滞纳金", ["滞纳金"]).count("<mark>") == 0
