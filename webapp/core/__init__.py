"""What every domain shares: the DB base and types, domain errors, i18n, the CLI group."""
