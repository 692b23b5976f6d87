"""Check-in: claims made by scanning an event's code, and the attendances they prove."""
