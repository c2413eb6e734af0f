"""The graph view of a step and the expression screen: every operation a node (``graph_view`` and
``graph_frames`` pure, the stage's data; ``graph_url`` the link; ``graph_ui`` the screen).

May import: app.session, app.walkthrough, core."""
