"""{% url %} as the visitor's browser must ask for it: behind a proxy that mounts SIP under a path
(X-Forwarded-Prefix: /sip, sip.urls_public.forwarded_prefix) every link a template writes carries
that path, as Django's own would under a WSGI SCRIPT_NAME ({% static %} does through the static
files storage, sip.storage.PublicStaticFilesStorage).

A builtin of every template (TEMPLATES' "builtins"), so templates, the admin's included, keep
Django's tag and syntax. Django's script prefix cannot serve here: only a trusted proxy's header
counts, per request, and the code that builds links itself adds that prefix (sip.urls_public)."""

from __future__ import annotations

from django import template
from django.template import defaulttags
from django.utils.html import conditional_escape

from sip.urls_public import current_prefix

register = template.Library()


def _prefix(context) -> str:
    return current_prefix(context.get("request"))


class PrefixedURLNode(template.Node):
    """Django's URLNode, its path under the request's proxy prefix."""

    def __init__(self, node: defaulttags.URLNode):
        self.node = node

    def render(self, context):
        prefix = _prefix(context)
        if self.node.asvar:
            self.node.render(context)
            found = context[self.node.asvar]
            if prefix and found:
                context[self.node.asvar] = prefix + found
            return ""
        url = self.node.render(context)
        # A path from reverse() is plain ASCII (already escaped where it had to be); the
        # prefix is too (forwarded_prefix allows no other characters).
        return conditional_escape(prefix) + url if prefix else url


@register.tag
def url(parser, token):
    """Django's {% url %} (same arguments, `as var` too), under the proxy prefix."""
    return PrefixedURLNode(defaulttags.url(parser, token))


@register.simple_tag(takes_context=True)
def public_prefix(context) -> str:
    """The proxy's path prefix ("/sip" or ""), for a path a template writes itself (`?next=`)."""
    return _prefix(context)
