"""Rewards: the token ledger that decides balances (the chain records the same facts)."""
