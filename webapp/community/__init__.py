"""The community's figures, made visible: the monthly summary the worker keeps, the figures
of a period (split by where people live), the community page and its public version, the
members' directory, a member's own contribution, and the report for the town."""
