"""What Enishi holds about a person, for that person (個人情報保護法: disclosure and deletion):
everything in one download, and closing the account. Composition over the domains: reads their
tables, asks accounts to forget the person."""
