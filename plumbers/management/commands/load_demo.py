from django.core.management.base import BaseCommand
from django.db import transaction

from plumbers.demo import DEMO_ACCOUNTS, load_demo


class Command(BaseCommand):
    help = (
        "Load the Linux Plumbers Conference 2022 demo (idempotent). By default the 2022 "
        "timeline is shifted so that today is a few days after the refereed CFP deadline was "
        "extended; --historical keeps the real 2022 dates."
    )

    def add_arguments(self, parser):
        parser.add_argument("--historical", action="store_true", help="Keep the real 2022 dates.")

    def handle(self, *args, historical=False, **options):
        def out(message: str) -> None:
            self.stdout.write(f"  {message}")
            self.stdout.flush()

        self.stdout.write("Loading the LPC 2022 demo…")
        with transaction.atomic():
            load_demo(historical=historical, out=out)
        self.stdout.write(self.style.SUCCESS("Demo loaded. Demo accounts (email / password):"))
        for email, _name, password, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<10} {email:<26} {password}")
