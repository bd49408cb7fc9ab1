"""The registry of mail kinds and bulk-mail segments, declared by each app on its AppConfig.

An app declares what it mails the way it declares its page parts (plumbers/extensions.py):

- ``mails = {"registration.offered": MailKind(...)}``: one transactional mail each, with the
  template it renders (``templates/mail/<template>.txt`` and ``.subject.txt``, the default
  text kept in the repository), the placeholders its text may use (with a description for the
  editor and an example value for the preview), the context variable naming the edition
  (``conference``: a dotted path such as ``"track.conference"``), the one naming the object
  the mail is about (``related``, for the mail log), and links built from URL names
  (``links``: placeholder → URL name, made absolute with ``PLUMBERS_SITE_URL``). ``when``
  makes a kind a variant of another template: ``("registration/confirmed", predicate)``
  renders this kind instead when ``predicate(context)`` holds.
- ``mail_segments = {"registration.waitlisted": MailSegment(...)}``: who a bulk mail can go
  to, as ``users(conference) -> Q`` over the User model.

This module holds only plain declarations (no models), so an ``apps.py`` can import it.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Placeholder:
    """A variable (dotted path) a mail text may use, what it means, and an example value."""

    description: str
    example: Any = ""


@dataclass(frozen=True)
class MailKind:
    label: str
    template: str
    placeholders: dict[str, Placeholder]
    conference: str = "conference"
    related: str = ""
    links: dict[str, str] = field(default_factory=dict)
    when: tuple[str, Callable[[dict], bool]] | None = None


@dataclass(frozen=True)
class MailSegment:
    label: str
    users: Callable[[Any], Any]  # conference -> Q over the User model


# The placeholders of every mail sent to a person about an edition, and of bulk mail.
PERSON = {
    "user": Placeholder("The recipient's display name.", "Ada Lovelace"),
    "user.display_name": Placeholder("The recipient's display name.", "Ada Lovelace"),
}
CONFERENCE = {
    "conference.name": Placeholder("The edition's name.", "Linux Plumbers Conference 2022"),
    "conference.city": Placeholder("The edition's city.", "Dublin"),
    "conference.venue": Placeholder("The edition's venue.", "Clayton Hotel Burlington Road"),
    "conference.starts_on": Placeholder("The first day (a date).", dt.date(2022, 9, 12)),
    "conference.ends_on": Placeholder("The last day (a date).", dt.date(2022, 9, 14)),
    "conference.timezone": Placeholder("The edition's time zone.", "Europe/Dublin"),
}

BULK_KEY = "plumbers.bulk"


def _declared(attribute: str) -> dict:
    from django.apps import apps

    found: dict = {}
    for config in apps.get_app_configs():
        for key, value in getattr(config, attribute, {}).items():
            if key in found:
                raise ValueError(f"{attribute} {key!r} is declared twice")
            found[key] = value
    return found


@cache
def mail_kinds() -> dict[str, MailKind]:
    """Every transactional mail kind, by key, in app order (read once: AppConfigs are static)."""
    return _declared("mails")


@cache
def kind_for_template(template: str) -> tuple[str, MailKind] | tuple[None, None]:
    for key, kind in mail_kinds().items():
        if kind.template == template:
            return key, kind
    return None, None


@cache
def variants_of(template: str) -> tuple[tuple[str, MailKind], ...]:
    return tuple(
        (key, kind)
        for key, kind in mail_kinds().items()
        if kind.when is not None and kind.when[0] == template
    )


@cache
def mail_segments() -> dict[str, MailSegment]:
    return _declared("mail_segments")
