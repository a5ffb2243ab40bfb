"""Comments on draft plans (uwagi do projektu planu): services, selectors, pages, exports."""
