"""The 12366 knowledge base domain: documents, their units, FAQ, referrals and storage.

One package per feature, in the way of Indico's ``modules/<feature>/``; each holds its tables and the
operations on them, and takes plain data and an actor:

- ``core``: what every feature stands on. ``settings`` (every ``KB_*`` setting, declared once as data),
  ``db`` (SQLAlchemy 2 storage: SQLite by default, PostgreSQL in production), ``errors``, ``actors`` and
  ``permissions``, ``numerals`` (Chinese numerals and the one article-number pattern), ``workdays`` and
  ``official_calendar`` (deadlines on China's official calendar), ``periods``, ``timestamps`` (every
  ``*_at`` column an aware UTC moment, calendar days in Beijing time), ``schema_migrations``,
  ``shared_files`` (the director's dictionary and synonym files, kept in the database for every host),
  ``backup``.
- ``library``: the policy library. ``parsing`` turns a received file (Markdown, HTML, .docx, text) into a
  ``ParsedDocument`` split into 编/章/节, 条/款/项, tables and attachments; ``importing`` and ``operations``
  store it (versions, idempotency, supersession, cross-references in ``references``); ``catalog`` reads the
  catalog CSV; ``citations`` and ``titles`` (short names by rule, ``data/title_abbreviations.tsv``);
  ``statuses`` (plain constants: the search path imports no ORM); ``index_outbox`` (every committed change
  to what the search index shows, so that each host's index can follow); ``search_feedback`` (citations
  agents copied after a search, and each ``train-ranker`` run); ``compare``, ``export``, ``uploads``.
- ``faq``: the standard answers. ``operations`` (curation, review, publishing, 需复核 when a cited article
  changes), ``citations`` (reading and resolving them), ``import_export``, ``similarity``.
- ``hotline``: the live call flow. ``calls``, ``referrals`` (转办单) with ``referral_drafts``, ``reminders``
  (催办) and ``referral_faq``; ``routing`` (the director's rules in ``routing_rules`` over the classifier
  ``routing_model``, with ``routing_lexicon`` and ``negation``, fitted on ``data/routing_examples.jsonl``;
  ``routing_training`` refits it from use); ``departments``; ``redaction`` (who may see a caller's
  identity) and ``audit`` (who saw or changed it); ``director_reports`` and ``report_referrals``
  (重大疑难问题报告单); ``lawful_answers`` (依法答复 review); ``phrases``.
- ``channels``: the hotline's other channels on the same library and FAQ. ``voice_menu`` with
  ``voice_recordings``, ``voice_audio`` and their tables in ``voice_models`` (语音服务); ``coaching``
  (业务辅导); ``campaigns`` (专题答疑); ``portal_content`` (the public 法规库).
- ``reports``: what the director reads and signs. ``bulletin`` and ``bulletin_issues`` (《12366信息专报》),
  ``promises`` (the five 100% promises), the agents' appraisal in two schemes (``appraisal_rules``,
  ``pay``, ``appraisal``, ``appraisal_history``, tables in ``appraisal_models``), ``querylog`` and
  ``gaps``, ``demo_data``.
- ``accounts``: ``users`` (roles, login throttling), ``passwords`` (Argon2id), ``password_policy``,
  ``api_tokens``.

``kb`` imports neither Flask nor Whoosh: the web app and the indexer depend on it, never the
other way round.
"""
