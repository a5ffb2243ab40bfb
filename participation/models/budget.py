"""Participatory budget (budżet obywatelski): editions, projects, the resident register, votes."""
