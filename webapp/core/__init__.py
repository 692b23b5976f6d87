"""What every domain shares: the DB base and types, domain errors, access guards, HTTP and
i18n helpers, keys, QR codes and PDFs. Imports no domain."""
