"""What the search index shows and learns from, seen from the database: above the library and the FAQ
(the index holds both) and the calls (whose cited articles teach the ranker)."""
