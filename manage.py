#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # The developer's tool: development settings unless told otherwise. Servers set
    # DJANGO_SETTINGS_MODULE=sip.settings.production in their environment (README, Security).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sip.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
