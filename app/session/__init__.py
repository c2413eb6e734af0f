"""The one owner of session state (``state``), the link (``url``, pure), the screen list (``screens``, pure),
size limits (``limits``, pure) and the cached traces (``model``).

May import: core, Streamlit."""
