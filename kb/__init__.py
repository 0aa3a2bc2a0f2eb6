"""The 12366 knowledge base domain: documents, their units, FAQ, referrals and storage.

How the pieces fit:

- ``settings``: every ``KB_*`` setting, declared once as data.
- ``db`` / ``models``: SQLAlchemy 2 storage (SQLite by default, PostgreSQL in production).
- ``parsing``: turns a received file (Markdown, HTML, .docx, text) into a ``ParsedDocument``:
  format readers produce blocks, ``parsing.structure`` splits blocks into 编/章/节, 条/款/项,
  tables and attachments.
- ``library``: domain operations that store parsed documents (versions, idempotency,
  supersession, cross-references); ``catalog`` reads the catalog CSV.
- ``citations`` / ``numerals``: citation text and Chinese numerals; ``titles``: the comparable form
  of a title and the short names derived from it by rule (``data/title_abbreviations.tsv``).
- ``statuses``: validity statuses as plain constants (the search path imports no ORM).
- ``index_outbox``: every committed change to what the search index shows, recorded in the same
  transaction, so that each host's index can follow; ``shared_files``: the director's dictionary
  and synonym files (and what ``train-ranker`` learned), kept in the database for every host.
- ``search_feedback``: citations agents copied after a search (relevance judgements from use) and
  the record of each ``train-ranker`` run.
- ``routing``: which department a request goes to: the director's rules (``routing_rules``) as
  overrides on top of the classifier (``routing_model``: words, character n-grams and the
  vocabulary groups of ``routing_lexicon``, with ``negation`` scopes), fitted on the labelled
  requests in ``data/routing_examples.jsonl``; ``routing_training`` refits it from the
  referrals whose department was changed, keeping the old model when the new one is worse.
- The agents' appraisal, two schemes side by side as the rules write them: ``appraisal_rules`` (the
  amounts of both, versioned by month), ``pay`` (绩效工资考核制度: entries, attendance and leave with
  their slips, 辞退), ``appraisal`` (目标责任制考核表: items, self- and centre scores, rating, warning,
  written report, publishing), ``appraisal_history`` (半年小结, 年终总结); ``appraisal_models`` holds
  their tables.
- ``official_calendar``: the State Council's holiday notice of a year ``chinese_calendar`` does not
  cover, entered by the director and used by ``workdays``.
- ``bulletin_issues``: the director's 加工提炼 of a 信息专报 and the departments it is shared with;
  ``report_referrals``: a 重大疑难问题报告单 passed to a department as a referral; ``lawful_answers``:
  on-the-spot answers without a citation, for the director's review.
- The hotline's other channels, on the same FAQ and library: ``voice_menu`` (the 语音服务 menu tree,
  announcements resting on published FAQ entries and 需复核 with them, schedule windows, versions),
  ``voice_recordings`` (agents' recordings of them), ``voice_audio`` (sound checks, the espeak-ng
  preview), their tables in ``voice_models``; and ``coaching`` (业务辅导: a department explains a policy
  question to the agents, with a referral's deadline and citation check; the answer becomes an FAQ
  draft and a note).

``kb`` imports neither Flask nor Whoosh: the web app and the indexer depend on it, never the
other way round.
"""
