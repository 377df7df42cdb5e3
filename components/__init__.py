"""Streamlit pieces shared by the pages: the cached data layer (`data`) and reusable widgets (`widgets`).

This package holds every `st.cache_*` of the app; `newsscope/` stays free of Streamlit.
"""
