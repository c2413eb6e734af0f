"""The step screens (Network, Forward, Backward, Update): the stage that plays them in the browser
(``stage``, its pure frames ``frames`` and ``mathml``), the drawing (``figures``, Plotly, no Streamlit), the
stepping rules (``stepping``, pure), cached LaTeX (``equations``), the quiz, presenter mode, the builder, the
sidebar, text alternatives and the optimizer's update section.

May import: app.session, app.classroom (the stage's class hooks), core."""
