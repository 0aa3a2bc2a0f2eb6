"""The search's part in every session of the application: ``kb.core.db.make_session_factory`` finds this
module by its name (as it finds each feature's ``models``) and lets it watch the factory."""
from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from kb.search import index_outbox


def watch(factory: sessionmaker) -> sessionmaker:
    """Each session ``factory`` makes writes the search index's outbox (``kb.search.index_outbox.watch``)."""
    return index_outbox.watch(factory)
