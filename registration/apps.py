import datetime as dt

from django.apps import AppConfig
from django.db.models import Q

from plumbers.mail_kinds import CONFERENCE, PERSON, MailKind, MailSegment, Placeholder

# What every registration mail may say (plumbers.mail_kinds): the person, the edition, the
# registration and its attendance kind, and the link to the registration page.
_REGISTRATION = {
    **PERSON,
    **CONFERENCE,
    "kind.name": Placeholder("The attendance kind: In person or Virtual.", "In person"),
    "register_url": Placeholder("The link to the person's registration page.", ""),
}


def _registration_mail(label, template, **more):
    return MailKind(
        label=label,
        template=template,
        placeholders={**_REGISTRATION, **more},
        related="registration",
    )


def _is_virtual(context) -> bool:
    return getattr(context.get("kind"), "kind", None) == "virtual"


def _registered(conference, status, kind):
    return Q(
        registrations__kind__conference=conference,
        registrations__kind__kind=kind,
        registrations__status=status,
    )


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = "Registration"
    mails = {
        "registration.confirmed": _registration_mail(
            "Registration confirmed (in person)",
            "registration/confirmed",
            via_pass=Placeholder("True when a complimentary pass confirmed it.", False),
            virtual_ended=Placeholder("True when it replaced a virtual registration.", False),
        ),
        "registration.virtual_confirmed": MailKind(
            label="Registration confirmed (virtual)",
            template="registration/virtual_confirmed",
            placeholders=_REGISTRATION,
            related="registration",
            when=("registration/confirmed", _is_virtual),
        ),
        "registration.waitlisted": _registration_mail(
            "Waitlisted",
            "registration/waitlisted",
            **{
                "position": Placeholder("Set when the position is known ({% if position %}).", 1),
                "position.position": Placeholder("The person's place on the waitlist.", 12),
                "position.total": Placeholder("How many are on the waitlist.", 340),
                "position.reasons": Placeholder(
                    "The priority rules that apply to the person.", ["new attendee"]
                ),
            },
        ),
        "registration.offered": _registration_mail(
            "Place offered",
            "registration/offered",
            **{
                "registration.offer_expires_at": Placeholder(
                    "When the offer expires (show it with |plain_time:conference.timezone).",
                    dt.datetime(2022, 8, 1, 12, 0, tzinfo=dt.UTC),
                )
            },
        ),
        "registration.expired": _registration_mail("Offer expired", "registration/expired"),
        "registration.declined": _registration_mail("Offer declined", "registration/declined"),
        "registration.offer_extended": _registration_mail(
            "Offer extended by the organizers",
            "registration/offer_extended",
            **{
                "registration.offer_expires_at": Placeholder(
                    "The new expiry (show it with |plain_time:conference.timezone).",
                    dt.datetime(2022, 8, 2, 12, 0, tzinfo=dt.UTC),
                ),
                "previous_expiry": Placeholder(
                    "The expiry before the extension.",
                    dt.datetime(2022, 8, 1, 12, 0, tzinfo=dt.UTC),
                ),
            },
        ),
        "registration.offer_withdrawn": _registration_mail(
            "Offer withdrawn by the organizers",
            "registration/offer_withdrawn",
            reason=Placeholder(
                "Why the organizers withdrew it.", "The seat was offered by mistake."
            ),
        ),
        "registration.cancelled": _registration_mail(
            "Registration cancelled",
            "registration/cancelled",
            reason=Placeholder("Why, when the organizers gave a reason.", ""),
        ),
    }
    mail_segments = {
        "registration.confirmed_in_person": MailSegment(
            "Confirmed, in person", lambda c: _registered(c, "confirmed", "in_person")
        ),
        "registration.waitlisted": MailSegment(
            "On the in-person waitlist", lambda c: _registered(c, "waitlisted", "in_person")
        ),
        "registration.virtual": MailSegment(
            "Registered virtually", lambda c: _registered(c, "confirmed", "virtual")
        ),
    }
    demo_loader = "registration.demo.load"
    dashboard = "registration.dashboard.panels"
    page_parts = [
        ("home.top", 20, "registration/parts/home_status.html"),
        ("me.sections", 10, "registration/parts/me_registrations.html"),
        ("home.summary", 10, "registration/parts/home_summary.html"),
    ]
