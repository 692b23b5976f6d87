"""Projects: what members launch and join with their 会員証 (the rights to launch and to join)."""
