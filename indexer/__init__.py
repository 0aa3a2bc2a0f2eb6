"""The search engine: a Whoosh index of every unit of the library, tuned for tax language.

How the pieces fit (a pipeline of small modules):

- ``segmenter``: jieba, loaded once per process from ``data/base_dict.txt`` (its dictionary pruned
  to the words of legal text and common words: the same cuts, a fifth of the load time), cache in
  the data folder; the shipped tax dictionary (``data/tax_dict.txt``) plus the director's
  ``user_dict.txt`` (reloaded on change; ``vocabulary`` edits it and the synonym override).
- ``analysis``: ``TaxTokenizer`` (regex step for 文号 and 第N条, then jieba; ordinal positions;
  honours Whoosh's positions/chars/mode flags) -> lower case -> stop words.
- ``schema``: the fields (everything a result shows is stored, so searching never touches the
  database). ``unit_entries`` / ``faq_index_entries``: how a ``kb`` unit or FAQ entry becomes an
  index entry.
- ``writing``: opening the index, and one writer at a time across processes (``fcntl.flock``).
  ``feeding``: full rebuilds and incremental updates from the database; it and the entry builders
  load the ORM, so only writing imports them: a process that only searches starts without it.
- ``following``: an index folder follows the database's outbox (``kb.library.index_outbox``): it applies
  the changes recorded after its watermark, whichever process or host made them.
- query side: ``synonyms`` (shipped ``data/synonyms.tsv`` + the director's override),
  ``typos`` (homophone typos by pinyin), ``citation_query`` (征管法第32条 straight to the
  article, by every short name ``kb.library.titles`` derives; a notice when the article does not exist), ``query`` (the Whoosh query), ``validity`` (in force / pending / outdated on the
  reference date, and ordering by it), ``snippets`` (highlighting), ``scoring`` (the query's
  top entries: Whoosh's BM25F computed term at a time with numpy, ~10x faster than Whoosh's
  matchers on OR queries of common words, the same scores), ``ranking`` (the second stage: the
  candidates re-scored for how much of the question they cover, the kind of rule asked for and
  their document's best score; parameters chosen by cross-validation, see bench/README.md).
- what is learned: ``confidence`` (a response's signals and the rule that says ``"high"`` or
  ``"low"``: the library may not answer), ``unit_prior`` (articles agents copy often rank a little
  higher), ``learned`` (both, as ``ranker.json`` in the data folder; the shipped rule otherwise),
  ``training`` (``flask train-ranker``: refit from labelled questions plus the copy log, compare
  held out, keep the better).
- ``search``: ``SearchIndex`` and its ``search(...) -> SearchResponse``: the one core that the
  CLI, the web pages and the benchmarks call.

Public API::

    index = SearchIndex(index_dir, data_dir)
    index.rebuild(session)                      # flask reindex
    index.update_documents(session, {3, 5})     # after an import or an edit
    response = index.search("征管法第32条", limit=10, include_old=False, as_of=None,
                            tax_type=None, level=None, status=None, date_from=None, date_to=None)
    [r.to_dict() for r in response.results]     # the CLI's JSON results
    response.confidence, response.notices       # "high" | "low"; e.g. 《…》没有第九百九十九条

FAQ entries are a second kind of entry (``type="faq"``, key ``faq:<id>``, the same display
fields; ``faq_entries`` picks the answer card): the query and ranking code does not depend on the kind.

Why ``whoosh3`` (pinned 3.54.0): the issue names four candidates; evidence gathered here:
- ``Whoosh`` 2.7.4 (2016, unmaintained) still imports on Python 3.11 but raises SyntaxWarnings
  (invalid escape sequences) at import; with warnings as errors (pytest.ini) it cannot be used.
- ``whoosh3`` 3.54.0 imports cleanly under ``python -W error``, keeps the 2.7 API and index
  format (Schema, fields, analysis.Tokenizer/Token, query objects, FileStorage, MultiSegmentWriter,
  CLEAR merge), and is maintained. We use only that 2.7-compatible API, so going back to 2.7
  or to a fork stays a pin change.
- ``whoosh-reloaded`` declared itself unmaintained in 2025; ``whoosh-ng`` changes its API between
  monthly releases: both fail the "stable, maintained" test.
"""
from indexer.search import SearchIndex, SearchResponse, SearchResult

__all__ = ["SearchIndex", "SearchResponse", "SearchResult", "search"]


def search(index: SearchIndex, query: str, **options) -> SearchResponse:
    """Search ``index``; options as ``SearchIndex.search`` (limit, include_old, as_of, filters)."""
    return index.search(query, **options)
