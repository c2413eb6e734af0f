"""The training lab: its session state and controls, its live charts (``live_chart``, a component that
updates Plotly in place) and figures, the optimizer and initialization sections.

May import: app.session, app.walkthrough, core."""
