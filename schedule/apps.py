from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    """The program: rooms, slots, releases and their changelog, stars, the standard exports."""

    name = "schedule"
    verbose_name = "Program"
