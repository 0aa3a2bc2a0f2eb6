"""The 12366 knowledge base domain: documents, their units, FAQ, referrals and storage.

How the pieces fit:

- ``settings``: every ``KB_*`` setting, declared once as data.
- ``db`` / ``models``: SQLAlchemy 2 storage (SQLite by default, PostgreSQL in production).
- ``parsing``: turns a received file (Markdown, HTML, .docx, text) into a ``ParsedDocument``:
  format readers produce blocks, ``parsing.structure`` splits blocks into 编/章/节, 条/款/项,
  tables and attachments.
- ``library``: domain operations that store parsed documents (versions, idempotency,
  supersession, cross-references); ``catalog`` reads the catalog CSV.
- ``citations`` / ``numerals``: citation text and Chinese numerals.
- ``statuses``: validity statuses as plain constants (the search path imports no ORM).
- ``index_outbox``: every committed change to what the search index shows, recorded in the same
  transaction, so that each host's index can follow; ``shared_files``: the director's dictionary
  and synonym files, kept in the database for every host.
- ``routing``: which department a request goes to: the director's rules (``routing_rules``) as
  overrides on top of the classifier (``routing_model``: words, character n-grams and the
  vocabulary groups of ``routing_lexicon``, with ``negation`` scopes), fitted on the labelled
  requests in ``data/routing_examples.jsonl``; ``routing_training`` refits it from the
  referrals whose department was changed, keeping the old model when the new one is worse.

``kb`` imports neither Flask nor Whoosh: the web app and the indexer depend on it, never the
other way round.
"""
