"""Analyse: see DEVELOPERS.md."""
