"""``indexer.whoosh_internals`` against Whoosh's public API, on a real index of several segments with a
deletion: a Whoosh upgrade that changes the internals the fast scorer reads fails here."""
from __future__ import annotations

import numpy as np
import pytest
from whoosh import fields, index
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from indexer.whoosh_internals import field_b, length_codes, posting_blocks

WORDS = "纳税人 税务机关 滞纳金 发票 申报 复议 罚款 期限 税率 退还".split()


@pytest.fixture
def whoosh_index(tmp_path):
    schema = fields.Schema(key=fields.ID(stored=True, unique=True), text=fields.TEXT(), title=fields.TEXT())
    ix = index.create_in(str(tmp_path), schema)
    rng = np.random.default_rng(12366)
    for segment in range(3):  # three commits without merging: three segments
        writer = ix.writer()
        for n in range(400):  # more than one posting block (W3 blocks hold 128)
            words = rng.choice(WORDS, size=int(rng.integers(1, 40)))
            writer.add_document(key=f"{segment}-{n}", text=" ".join(words), title=" ".join(words[:3]))
        writer.commit(merge=False)
    writer = ix.writer()
    writer.delete_by_term("key", "1-7")
    writer.commit(merge=False)
    yield ix
    ix.close()


def _leaves(ix):
    reader = ix.reader()
    leaves = [leaf for leaf, _offset in reader.leaf_readers()]
    assert len(leaves) >= 3
    return reader, leaves


def test_field_b_is_what_bm25f_was_given():
    weighting = BM25F(B=0.6, title_B=0.2)
    assert field_b(weighting, "title") == 0.2
    assert field_b(weighting, "text") == 0.6
    assert field_b(BM25F(), "text") == 0.75


def test_length_codes_decode_to_the_public_field_lengths(whoosh_index):
    reader, leaves = _leaves(whoosh_index)
    try:
        for leaf in leaves:
            for fieldname in ("text", "title"):
                codes = length_codes(leaf, fieldname)
                assert codes is not None and len(codes) == leaf.doc_count_all()
                public = [leaf.doc_field_length(i, fieldname, 0) for i in range(leaf.doc_count_all())]
                assert [byte_to_length(int(c)) for c in codes] == public
                assert max(public) > 1
    finally:
        reader.close()


def _unfiltered(matcher):
    """A segment with deletions wraps its postings in a filter; the scorer reads the child and masks."""
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def test_posting_blocks_hold_every_posting_the_public_matcher_walks(whoosh_index):
    reader, leaves = _leaves(whoosh_index)
    try:
        for leaf in leaves:
            for word in WORDS[:4]:
                blocks = posting_blocks(_unfiltered(leaf.postings("text", word)))
                assert blocks is not None
                blocks = list(blocks)
                assert len(blocks) > 1  # several blocks were read, not one
                ids = np.concatenate([b[0] for b in blocks]).tolist()
                weights = np.concatenate([b[1] for b in blocks]).tolist()
                public = _unfiltered(leaf.postings("text", word))
                walked = []
                while public.is_active():
                    walked.append((public.id(), public.weight()))
                    public.next()
                assert list(zip(ids, weights)) == walked
    finally:
        reader.close()


def test_other_matchers_and_readers_say_none():
    assert posting_blocks(ListMatcher([1, 2, 3])) is None

    class NotW3:
        def doc_count_all(self):
            return 0

    assert length_codes(NotW3(), "text") is None
