"""The graph view of a step and the expression screen: every operation a node (``graph_view`` pure,
``graph_figures`` Plotly, ``graph_url`` the link, ``graph_ui`` the screen).

May import: app.session, app.walkthrough, core."""
