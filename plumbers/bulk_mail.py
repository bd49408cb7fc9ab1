"""Bulk mail: one text to a segment of people (declared by the apps, plumbers.mail_kinds) or
to a list of addresses that are users; an outbox row per recipient; sent by the worker,
throttled, never twice to anyone.

Once only, by construction:
- A send is identified by the token of the confirmation page the organizer clicked
  (``BulkMail.token``, unique): a repeated or double-clicked confirmation finds the send
  and adds nobody.
- Recipients are unique per send (by user and by address: database constraints).
- A worker sends a recipient only while holding its row lock, and only from ``queued``
  (a row lock that skips locked rows on PostgreSQL, so two workers take different rows;
  SQLite's IMMEDIATE transactions serialize them). The row becomes ``sent`` in the
  transaction that sent it, with the mail log entry of its identity (unique too).
- "Resend failed" moves only ``failed`` rows back to ``queued``.
"""

import csv
import io
import re
import secrets
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import task

from plumbers.audit import audit_record
from plumbers.mail import enqueue_with_change, render_text, send_logged, site_url
from plumbers.mail_kinds import BULK_KEY, CONFERENCE, PERSON, MailKind, Placeholder, mail_segments
from plumbers.mail_templates import validate_texts
from plumbers.models import BulkMail, BulkMailRecipient, Conference, User

CSV_SEGMENT = "plumbers.csv"
MAX_CSV_ADDRESSES = 5000

BULK_KIND = MailKind(
    label="Bulk mail",
    template="",
    placeholders={
        **PERSON,
        **CONFERENCE,
        "site_url": Placeholder("The address of the site.", "https://lpc.example.org"),
    },
)

# A confirmation page's send token; anything else (a tampered form) is refused, not queried.
SEND_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def segment_choices() -> list[tuple[str, str]]:
    return [(key, segment.label) for key, segment in mail_segments().items()] + [
        (CSV_SEGMENT, "A list of addresses (CSV)")
    ]


def parse_addresses(text: str) -> list[str]:
    """The addresses in a CSV (any column holding an @), lower-cased, in order, once each."""
    found: dict[str, None] = {}
    try:  # newline="": the csv module splits lines itself, a lone "\r" included
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                cell = cell.strip()
                if "@" in cell:
                    found.setdefault(cell.lower(), None)
    except csv.Error as exc:
        raise ValidationError(f"The list of addresses could not be read as CSV: {exc}.") from exc
    return list(found)


def segment_users(*, conference: Conference, segment: str, addresses_csv: str = ""):
    """The active users a send goes to, ordered by address. Raises ValidationError for an
    unknown segment, an empty or oversized CSV, or CSV addresses that are not users."""
    users = User.objects.filter(is_active=True)
    if segment == CSV_SEGMENT:
        addresses = parse_addresses(addresses_csv)
        if not addresses:
            raise ValidationError("The list holds no email address.")
        if len(addresses) > MAX_CSV_ADDRESSES:
            raise ValidationError(f"At most {MAX_CSV_ADDRESSES} addresses at a time.")
        known = {
            email.lower(): email
            for email in users.filter(email__in=_case_variants(addresses)).values_list(
                "email", flat=True
            )
        }
        unknown = [a for a in addresses if a not in known]
        if unknown:
            shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
            raise ValidationError(
                f"{len(unknown)} address(es) are not accounts of this site: {shown}. "
                "Remove them or ask those people to sign up first."
            )
        return users.filter(email__in=list(known.values())).order_by("email")
    declared = mail_segments().get(segment)
    if declared is None:
        raise ValidationError("Choose who the mail goes to.")
    matching = User.objects.filter(declared.users(conference)).values("pk")
    return users.filter(pk__in=matching).order_by("email")


def _case_variants(addresses: list[str]) -> list[str]:
    """Emails are unique case-insensitively; match them without a function per row."""
    from django.db.models.functions import Lower

    return list(
        User.objects.annotate(lower=Lower("email"))
        .filter(lower__in=addresses)
        .values_list("email", flat=True)
    )


def bulk_context(*, user: User, conference: Conference) -> dict:
    return {"user": user, "conference": conference, "site_url": site_url("")}


def render_for(*, subject: str, body: str, user: User, conference: Conference) -> tuple[str, str]:
    context = bulk_context(user=user, conference=conference)
    return " ".join(render_text(subject, context).split()), render_text(body, context)


def bulk_preview(
    *, conference: Conference, segment: str, addresses_csv: str, subject: str, body: str
) -> dict:
    """What the confirmation page shows: the count, one rendered copy, a send token."""
    validate_texts(BULK_KIND, subject=subject, body=body)
    users = segment_users(conference=conference, segment=segment, addresses_csv=addresses_csv)
    count = users.count()
    first = users.first()
    preview = None
    if first is not None:
        try:
            preview = render_for(subject=subject, body=body, user=first, conference=conference)
        except Exception as exc:
            raise ValidationError(f"The text cannot be rendered: {exc}") from exc
    return {
        "count": count,
        "first": first,
        "preview": preview,
        "token": secrets.token_urlsafe(24),
    }


@transaction.atomic
def bulk_mail_send(
    *,
    conference: Conference,
    token: str,
    segment: str,
    addresses_csv: str,
    subject: str,
    body: str,
    actor: User,
) -> tuple[BulkMail, bool]:
    """Create the send and its recipients and queue the worker; ``(send, created)``. The
    same token again (a double click, a retried request) returns the existing send."""
    if not SEND_TOKEN.fullmatch(token):  # what the preview issues (secrets.token_urlsafe)
        raise ValidationError("The confirmation is missing: preview the mail again.")
    validate_texts(BULK_KIND, subject=subject, body=body)
    existing = BulkMail.objects.select_for_update(of=("self",)).filter(token=token).first()
    if existing is not None:
        return existing, False
    users = list(segment_users(conference=conference, segment=segment, addresses_csv=addresses_csv))
    if not users:
        raise ValidationError("Nobody is in this group: nothing was sent.")
    label = dict(segment_choices()).get(segment, segment)
    bulk, created = BulkMail.objects.get_or_create(
        token=token,
        defaults={
            "conference": conference,
            "segment": segment,
            "segment_label": label[:200],
            "subject": " ".join(subject.split())[:255],
            "body": body,
            "created_by": actor,
        },
    )
    if not created:
        return bulk, False
    BulkMailRecipient.objects.bulk_create(
        [BulkMailRecipient(bulk_mail=bulk, user=u, email=u.email) for u in users],
        ignore_conflicts=True,
    )
    audit_record(
        obj=bulk,
        action="bulk_mail_send",
        actor=actor,
        to_state="queued",
        data={"segment": segment, "recipients": len(users)},
    )
    enqueue_with_change(send_bulk_mail, bulk_mail_id=bulk.pk)
    return bulk, True


@transaction.atomic
def bulk_mail_resend_failed(*, bulk_mail: BulkMail, actor: User) -> int:
    """Queue the failed recipients again (only those); returns how many."""
    failed = list(
        BulkMailRecipient.objects.select_for_update(of=("self",))
        .filter(bulk_mail=bulk_mail, state=BulkMailRecipient.State.FAILED)
        .values_list("pk", flat=True)
    )
    if not failed:
        return 0
    BulkMailRecipient.objects.filter(pk__in=failed, state=BulkMailRecipient.State.FAILED).update(
        state=BulkMailRecipient.State.QUEUED, error=""
    )
    audit_record(
        obj=bulk_mail,
        action="bulk_mail_resend_failed",
        actor=actor,
        from_state="failed",
        to_state="queued",
        data={"recipients": len(failed)},
    )
    enqueue_with_change(send_bulk_mail, bulk_mail_id=bulk_mail.pk)
    return len(failed)


def send_next(bulk: BulkMail) -> BulkMailRecipient | None:
    """Send one queued recipient of ``bulk`` under its row lock; None when none is left.
    A recipient another worker holds is skipped (it is that worker's)."""
    with transaction.atomic():
        row = (
            BulkMailRecipient.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(bulk_mail=bulk, state=BulkMailRecipient.State.QUEUED)
            .order_by("pk")
            .first()
        )
        if row is None:
            return None
        row.attempts += 1
        try:
            subject, body = render_for(
                subject=bulk.subject, body=bulk.body, user=row.user, conference=bulk.conference
            )
            sent = send_logged(
                subject=subject,
                body=body,
                to=[row.email],
                mail_id=row.mail_id,
                template=BULK_KEY,
                related=f"plumbers.bulkmail:{bulk.pk}",
            )
        except Exception as exc:
            row.state, row.error = BulkMailRecipient.State.FAILED, f"{type(exc).__name__}: {exc}"
        else:
            row.state, row.error = BulkMailRecipient.State.SENT, ""
            row.sent_at = timezone.now() if sent else row.sent_at or timezone.now()
        row.save(update_fields=["state", "error", "attempts", "sent_at"])
        return row


@task()
def send_bulk_mail(*, bulk_mail_id: int) -> int:
    """Send the queued recipients of one bulk mail, throttled; returns how many it handled."""
    bulk = BulkMail.objects.select_related("conference").filter(pk=bulk_mail_id).first()
    if bulk is None:
        return 0
    handled = 0
    interval = settings.PLUMBERS_BULK_MAIL_INTERVAL
    while send_next(bulk) is not None:
        handled += 1
        if interval:
            time.sleep(interval)
    return handled


def outbox_counts(bulk_mail: BulkMail) -> dict[str, int]:
    counts = BulkMailRecipient.objects.filter(bulk_mail=bulk_mail).aggregate(
        total=Count("pk"),
        **{state: Count("pk", filter=Q(state=state)) for state in BulkMailRecipient.State.values},
    )
    return counts
