"""Share: see DEVELOPERS.md."""
