"""The 12366 knowledge base domain: documents, their units, FAQ, referrals and storage.

One package per feature, in the way of Indico's ``modules/<feature>/``: each holds its tables in its
``models`` (found by name by ``kb.core.db``, no list to keep) and the operations on them, which take
plain data and an actor. The packages are layers, lowest first; each imports only those below it
(``tests/test_project.py`` checks it):

- ``core``: what every feature stands on. ``settings`` (every ``KB_*`` setting, declared once as data),
  ``db`` (SQLAlchemy 2 storage: SQLite by default, PostgreSQL in production; finds each feature's
  ``models`` and ``session_events``), ``errors``, ``actors`` and ``permissions``, ``departments`` (the
  bureau's departments and their groups, which permissions and routing read), ``numerals`` (Chinese
  numerals and the one article-number pattern), ``workdays`` (deadlines on China's official calendar),
  ``periods``, ``timestamps`` (every ``*_at`` column an aware UTC moment, calendar days in Beijing
  time), ``paging``, ``schema_migrations``, ``shared_files`` (the director's dictionary and synonym
  files, kept in the database for every host), ``backup``.
- ``accounts``: ``roles`` (the five roles, as data), ``users`` (login throttling), ``passwords``
  (Argon2id), ``password_policy``, ``api_tokens``, ``audit`` (the append-only log of who saw or changed
  confidential data or an account).
- ``library``: the policy library. ``parsing`` turns a received file (Markdown, HTML, .docx, text) into a
  ``ParsedDocument`` split into 编/章/节, 条/款/项, tables and attachments; ``importing`` and ``operations``
  store it (versions, idempotency, supersession, cross-references in ``references``); ``catalog`` reads the
  catalog CSV; ``citations`` and ``titles`` (short names by rule, ``data/title_abbreviations.tsv``);
  ``statuses`` (plain constants: the search path imports no ORM); ``document_events`` (tells the
  features above which documents changed); ``compare``, ``export``, ``uploads``, ``listings``.
- ``faq``: the standard answers. ``operations`` (curation and publishing), ``review`` (需复核 when a cited
  article changes, told by ``library_events``, and the director's queue), ``versions`` (every version and
  its diff), ``citations`` (reading and resolving them), ``import_export``, ``similarity``.
- ``hotline``: the live call flow. ``calls``, ``referrals`` (转办单) with ``referral_drafts``, ``reminders``
  (催办), ``referral_faq`` and ``referral_listings``; ``routing`` (the director's rules in ``routing_rules``
  over the classifier ``routing_model``, with ``routing_lexicon`` and ``negation``, fitted on
  ``data/routing_examples.jsonl``; ``routing_training`` refits it from use); ``official_calendar`` (the
  director enters each year's official calendar; open referrals' deadlines follow); ``redaction`` (who
  may see a caller's identity); ``director_reports`` and ``report_referrals`` (重大疑难问题报告单);
  ``lawful_answers`` (依法答复 review); ``phrases``.
- ``search``: what the search index shows and learns from, seen from the database. ``index_outbox``
  (every committed change to what the index shows, so that each host's index can follow; its listeners
  are on every session through ``session_events``), ``index_contents``, ``vocabulary`` (where a
  dictionary word occurs), ``search_feedback`` (citations agents copied after a search or cited in a
  call, and each ``train-ranker`` run).
- ``channels``: the hotline's other channels on the same library and FAQ. ``voice_menu`` with
  ``voice_recordings`` and ``voice_audio`` (语音服务); ``coaching`` (业务辅导); ``campaigns`` (专题答疑);
  ``portal_content`` (the public 法规库).
- ``reports``: what the director reads and signs. ``bulletin`` and ``bulletin_issues`` (《12366信息专报》),
  ``promises`` (the five 100% promises), the agents' appraisal in two schemes (``appraisal_rules``,
  ``pay``, ``appraisal`` with ``appraisal_sheets``, ``appraisal_history``), ``querylog`` and ``gaps``, ``demo_data``.

``kb`` imports neither Flask nor Whoosh: the web app and the indexer depend on it, never the
other way round.
"""
