"""Shared set-up for the benchmarks: a scratch library database imported from a folder."""
from __future__ import annotations

import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"



def scratch_library(folder: Path, work: Path | None = None):
    """Import ``folder`` (with its catalog.csv when present) into a fresh SQLite file; return the session factory."""
    # Imported here: ``latency.py --probe`` imports this module, and its cold start must not pay for the ORM.
    from kb.core.db import create_schema, make_engine, make_session_factory
    from kb.library.importing import import_library_folder, import_paths, load_catalog

    work = work or Path(tempfile.mkdtemp(prefix="kb-bench-"))
    engine = make_engine(f"sqlite:///{work / 'kb.sqlite3'}")
    create_schema(engine)
    factory = make_session_factory(engine)
    catalog_path = folder / "catalog.csv"
    if catalog_path.exists():
        report = import_paths(factory, [folder], load_catalog(catalog_path))
    else:
        report = import_library_folder(factory, folder)
    return factory, work, report
