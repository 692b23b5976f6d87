"""Membership: who is a member of the DAO (and holds the 会員証 card on chain)."""
