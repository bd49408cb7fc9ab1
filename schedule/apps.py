import datetime as dt

from django.apps import AppConfig

from plumbers.mail_kinds import CONFERENCE, MailKind, Placeholder


def _slot(when):
    return {
        f"change.{when}.room.name": Placeholder(f"The room {when} the change.", "Lansdowne"),
        f"change.{when}.starts_at": Placeholder(
            f"The start {when} the change (|plain_time:conference.timezone).",
            dt.datetime(2022, 9, 12, 9, 0, tzinfo=dt.UTC),
        ),
        f"change.{when}.ends_at": Placeholder(
            f"The end {when} the change (|plain_time:conference.timezone).",
            dt.datetime(2022, 9, 12, 9, 45, tzinfo=dt.UTC),
        ),
    }


class ScheduleConfig(AppConfig):
    """The program: rooms, slots, releases and their changelog, stars, the standard exports."""

    name = "schedule"
    verbose_name = "Program"
    demo_loader = "schedule.demo.load"
    mails = {
        "schedule.changed": MailKind(
            label="Program changed (to the item's speakers)",
            template="schedule/changed",
            placeholders={
                **CONFERENCE,
                "person.display_name": Placeholder("The recipient's name.", "Ada Lovelace"),
                "person.email": Placeholder("The recipient's address.", "ada@example.org"),
                "change.kind": Placeholder("added, moved or removed.", "moved"),
                "change.title": Placeholder("The item's title.", "Rust in the kernel"),
                **_slot("before"),
                **_slot("after"),
                "release.version": Placeholder("The program's version number.", 3),
                "url": Placeholder("The link to the item.", ""),
                "program_url": Placeholder("The link to the program.", ""),
            },
            related="item",
        ),
    }
    page_parts = [
        ("microconference.after_topics", 20, "schedule/parts/mc_block.html"),
        ("profile.sections", 20, "schedule/parts/profile_feed.html"),
        ("me.sections", 20, "schedule/parts/my_starred.html"),
    ]

    def ready(self):
        from schedule import signals

        signals.connect()
