"""Backprop Stepper's Streamlit front end: the entry point and the helpers pages share."""
