"""Apply: see DEVELOPERS.md."""
