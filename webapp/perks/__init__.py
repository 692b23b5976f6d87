"""Perks: what community tokens buy at local partners."""
