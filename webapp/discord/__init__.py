"""Discord: the server's roles follow the 会員証 (Discord Linked Roles)."""
