"""Decisions: proposals that members decide by one card, one vote."""
