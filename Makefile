# SIP: one-command setup on Debian 12. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The demo runs with development settings (debug pages, published key), the tests with their
# own, whatever DJANGO_SETTINGS_MODULE the shell has; servers use sip.settings.production.
DEV := DJANGO_SETTINGS_MODULE=sip.settings.dev
# An external PostGIS (DATABASE_URL) replaces the embedded cluster.
DB_TARGET := $(if $(DATABASE_URL),,db-start)
# Backups (pgBackRest archiving, repositories under var/backup/) are set up for the embedded
# cluster only; an external server's backups are its administrators' (README, "Kopie zapasowe").
BACKUP_TARGET := $(if $(DATABASE_URL),,backup-setup)
# make restore-drill PARTNER=ssh: repo2 reached over SSH (a stand-in sshd on 127.0.0.1).
PARTNER ?= local

.PHONY: setup system-packages db-start db-stop migrate messages demo test bench lint format \
	backup-setup backup restore-drill backup-status

setup: system-packages $(STAMP) $(DB_TARGET) migrate messages $(BACKUP_TARGET)

system-packages:
	@scripts/system-packages.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || /usr/bin/python3 -m venv --system-site-packages $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

db-start:
	@scripts/db.sh start

db-stop:
	@scripts/db.sh stop

migrate:
	@$(PY) manage.py migrate --noinput -v 0

# Translations (locale/<language>/LC_MESSAGES/*.po, Polish msgids) compiled to .mo files, which
# are not committed; only .po files newer than their .mo are compiled again.
messages:
	@$(PY) manage.py compilemessages --ignore='.*' -v 0

backup-setup:
	@$(PY) manage.py backup_setup -v 0

backup: setup
	$(PY) manage.py backup

restore-drill: setup
ifeq ($(PARTNER),ssh)
	@scripts/partner-ssh.sh up
	SIP_BACKUP_PARTNER=ssh $(PY) manage.py backup_setup && SIP_BACKUP_PARTNER=ssh $(PY) manage.py backup \
		&& SIP_BACKUP_PARTNER=ssh $(PY) manage.py restore_drill; rc=$$?; scripts/partner-ssh.sh down; \
		$(PY) manage.py backup_setup -v 0 && $(PY) manage.py backup >/dev/null; exit $$rc
else
	$(PY) manage.py restore_drill
endif

backup-status:
	@$(PY) manage.py backup_status

demo: setup
	$(DEV) $(PY) manage.py load_demo
	$(DEV) $(PY) manage.py runserver 127.0.0.1:8000

test: setup lint
	DJANGO_SETTINGS_MODULE=sip.settings.test $(VENV)/bin/pytest

bench: setup
	$(DEV) $(PY) -m bench

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
