"""What every feature stands on: storage, settings, errors, actors and permissions, numerals, the working-day calendar and report periods, schema migrations and backups."""
