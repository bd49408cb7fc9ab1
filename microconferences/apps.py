from django.apps import AppConfig
from django.db.models import Q

from plumbers.mail_kinds import MailSegment


class MicroconferencesConfig(AppConfig):
    name = "microconferences"
    verbose_name = "Microconferences"
    mail_segments = {
        "microconferences.leads": MailSegment(
            "Microconference leads (accepted microconferences)",
            lambda c: Q(
                led_microconferences__conference=c, led_microconferences__status="accepted"
            ),
        ),
    }
    demo_loader = "microconferences.demo.load"
    page_parts = [
        ("home.top", 30, "microconferences/parts/home.html"),
        ("me.sections", 40, "microconferences/parts/me_led.html"),
    ]

    def ready(self):
        # Registers the rules permission "microconferences.edit_microconference".
        from microconferences import permissions  # noqa: F401
