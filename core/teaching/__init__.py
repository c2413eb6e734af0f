"""Material for a class: the worked-example handout, the quiz's questions and checking, worksheets and their
printable HTML, the SVG drawing, CSV export.

May import: core.engine, core.symbolic."""
