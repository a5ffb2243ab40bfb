"""REST API of residents' reports under /api/incidents/: the resident form (categories, routing
preview, duplicate suggestions, submit, "me too", tracking) and the staff inbox."""
