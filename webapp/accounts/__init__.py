"""Accounts: people, their roles and their custodial addresses; logging in and out."""
