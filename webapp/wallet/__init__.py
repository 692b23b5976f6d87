"""The wallet page: a member's card, badges, balance and perks, each pending or on chain."""
