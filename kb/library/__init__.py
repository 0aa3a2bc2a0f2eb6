"""The policy library: documents and their units, how received files are parsed and imported, citations and cross-references, comparison, export, and the search index's outbox."""
