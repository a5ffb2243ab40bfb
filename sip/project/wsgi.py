"""The WSGI application (gunicorn sip.project.wsgi). Production settings unless DJANGO_SETTINGS_MODULE
says otherwise: they refuse to start without SECRET_KEY and ALLOWED_HOSTS from the environment,
so a server started with no configuration never runs with debug pages and a published key."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sip.settings.production")
application = get_wsgi_application()

# Imported once Django is set up. Anonymous WMS tiles skip the middleware that has nothing to do
# for them (layers.ogc.tiles); every other request goes through the whole of settings.MIDDLEWARE.
from layers.ogc.tiles import with_anonymous_ows_shortcut  # noqa: E402

application = with_anonymous_ows_shortcut(application)
