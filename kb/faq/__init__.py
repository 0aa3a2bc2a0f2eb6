"""The FAQ: the hotline's standard answers, each resting on articles of law in force; their citations, versions and review, and their import and export."""
