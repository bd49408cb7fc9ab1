import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from plumbers.demo import DEMO_ACCOUNTS, STORY_TODAY, load_demo

# Where to look first, for the summary (path, what it shows).
WHERE_TO_LOOK = [
    ("/", "home: key dates, registration status, latest news"),
    ("/me/", "My conference: your registration, proposals, reviews (log in first)"),
    ("/register/", "registration: in person sold out, the waitlist, virtual places"),
    ("/cfp/", "call for proposals: the refereed deadline, extended by a week"),
    ("/cfp/review/", "reviewers' triage (reviewer, organizer)"),
    ("/schedule/", "the program: release 1.0, its changelog and the exports"),
    ("/admin/", "organizers: dashboard, waitlist and offers, timetable editor, mail"),
]


@contextmanager
def _quiet():
    """The demo's fictional people are not mailed, and the task runner's log lines stay out
    of the summary: a dummy mail backend and a quieter task logger while loading."""
    task_logger = logging.getLogger("django_tasks")
    level = task_logger.level
    task_logger.setLevel(logging.WARNING)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        task_logger.setLevel(level)


class Command(BaseCommand):
    help = (
        "Load the Linux Plumbers Conference 2022 demo (idempotent). By default the 2022 "
        "timeline is shifted so that today is a few days after the refereed CFP deadline was "
        "extended; --historical keeps the real 2022 dates. Demo mail is not sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--historical", action="store_true", help="Keep the real 2022 dates.")
        parser.add_argument(
            "--url",
            default="",
            help="The address the site is served on, for the summary (default: "
            "PLUMBERS_SITE_URL, else http://127.0.0.1:8000).",
        )

    def handle(self, *args, historical=False, url="", **options):
        def out(message: str) -> None:
            self.stdout.write(f"  {message}")
            self.stdout.flush()

        url = (url or getattr(settings, "PLUMBERS_SITE_URL", "") or "http://127.0.0.1:8000").rstrip(
            "/"
        )
        self.stdout.write("Loading the LPC 2022 demo (demo mail is not sent)…")
        with _quiet(), transaction.atomic():
            load_demo(historical=historical, out=out)
        self.stdout.write(self.style.SUCCESS("Demo loaded."))
        if historical:
            self.stdout.write("The real 2022 dates are kept: the story's events are all past.")
        else:
            self.stdout.write(
                f"The LPC 2022 story is replayed: today ({timezone.localdate():%-d %B %Y}) "
                f"is {STORY_TODAY:%-d %B %Y} in the story, and every date moves with it."
            )
        self.stdout.write("")
        self.stdout.write(f"Site: {url}/")
        self.stdout.write("Demo accounts:")
        self.stdout.write(f"  {'role':<10} {'email':<26} password")
        for email, _name, password, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<10} {email:<26} {password}")
        self.stdout.write("Where to look:")
        for path, what in WHERE_TO_LOOK:
            self.stdout.write(f"  {url}{path:<14} {what}")
