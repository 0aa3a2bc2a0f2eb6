"""Remove the keywords copied from evaluation cases out of the director's stored routing rules.

The first shipped rules held six words copied from the dev route cases (加急费, 很冲, 粤语, 别人的发票,
两份合同, 填假). The shipped file lost them (issue #18), but a deployment where the director once
saved a rule copied every shipped rule into ``routing_rules``, and there they still act as overrides.

For each stored rule, each word pattern (``a/b+c & d``, see ``kb.hotline.routing``) loses exactly those
alternatives; everything else is left as the director wrote it. A pattern whose part has no
alternative left is dropped whole (keeping the rest of it would match more than before: ``税务人员 &
加急费`` must not become ``税务人员``), and a rule whose words were all copied ones is deleted (without
words it would match every call of its category). Rules without any of them are not touched.

Downgrade does nothing: the words are not put back.

Revision ID: 0008_i18b
Revises: 0006_i12b
Created: 2026-11-30
"""
from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0008_i18b'
down_revision = '0006_i12b'
branch_labels = None
depends_on = None

COPIED = ("加急费", "很冲", "粤语", "别人的发票", "两份合同", "填假")

_rules = sa.table(
    'routing_rules',
    sa.column('id', sa.Integer),
    sa.column('words', sa.JSON),
)


def _key(word: str) -> str:
    return "".join(unicodedata.normalize("NFKC", word).split())


def without_copied(pattern: str) -> str | None:
    """``pattern`` without the copied alternatives; None when a part of it is left empty. A pattern
    without any of them comes back exactly as it was."""
    copied = {_key(word) for word in COPIED}
    parts = [[group.split("/") for group in part.split("+")] for part in pattern.split("&")]
    if not any(_key(alt) in copied for groups in parts for group in groups for alt in group):
        return pattern
    kept_parts = []
    for groups in parts:
        kept_groups = []
        for group in groups:
            kept = [alt.strip() for alt in group if _key(alt) not in copied]
            if not kept:
                return None
            kept_groups.append("/".join(kept))
        kept_parts.append("+".join(kept_groups))
    return " & ".join(kept_parts)


def upgrade() -> None:
    connection = op.get_bind()
    for rule_id, words in connection.execute(sa.select(_rules.c.id, _rules.c.words)).all():
        words = list(words or [])
        cleaned = [kept for kept in (without_copied(word) for word in words) if kept is not None]
        if cleaned == words:
            continue
        if words and not cleaned:
            connection.execute(sa.delete(_rules).where(_rules.c.id == rule_id))
        else:
            connection.execute(sa.update(_rules).where(_rules.c.id == rule_id).values(words=cleaned))


def downgrade() -> None:
    pass  # the copied words are not put back
