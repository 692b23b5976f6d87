"""Enishi's chain layer: contracts, their artifacts, custodial wallets and the chain client.

Usable without Flask and without the web app's database models.
"""
