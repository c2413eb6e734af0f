"""The Worksheets screen (``worksheet_ui``).

May import: app.session, core."""
