"""Placeholder: this screen is built in a later issue."""

import streamlit as st

st.title("update")
st.info("This screen is coming soon.")
