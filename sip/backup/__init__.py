"""Backups of SIP (pgBackRest for PostgreSQL, restic for files) and the restore drill that proves
them: see README.md, "Kopie zapasowe"."""
