"""Consultations and geo-surveys: services (writes), selectors (reads), API, pages, exports."""
