"""The organizers' mail pages: the mail log, the editable mail templates, bulk mail and its
outbox. Registered on the organizers' site by plumbers/admin.py."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from plumbers import bulk_mail
from plumbers.admin_site import ReadOnlyAdmin
from plumbers.mail_kinds import mail_kinds
from plumbers.mail_templates import (
    current_texts,
    default_texts,
    mail_template_restore_default,
    mail_template_save,
    mail_template_send_test,
    placeholder_rows,
    render_sample,
)
from plumbers.models import BulkMail, BulkMailRecipient, Conference, MailTemplate, SentMail


def _conference(request) -> Conference | None:
    """The edition a mail page is about: ``?conference=<id>``, else the current one."""
    raw = (
        request.GET.get("conference")
        or request.GET.get("conference__id__exact")
        or request.POST.get("conference")
        or ""
    )
    if raw.isdigit() and len(raw) < 12:
        found = Conference.objects.filter(pk=int(raw)).first()
        if found is not None:
            return found
    return Conference.objects.current() or Conference.objects.first()


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# --------------------------------------------------------------------------- the mail log


class SentMailAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "recipients", "subject", "template", "status", "related"]
    list_display_links = ["sent_at", "subject"]
    list_filter = ["status", "template"]
    search_fields = ["recipients", "subject", "template", "body", "mail_id"]
    date_hierarchy = "sent_at"
    list_select_related = ["related_type"]
    fields = [
        "sent_at",
        "recipients",
        "subject",
        "template",
        "status",
        "error",
        "related",
        "mail_id",
        "body",
    ]
    readonly_fields = fields

    def add_view(self, request, form_url="", extra_context=None):
        """Nothing is added by hand: the log itself."""
        return self.changelist_view(request)

    @admin.display(description="about")
    def related(self, obj):
        if obj.related_type is None:
            return "—"
        label = f"{obj.related_type.name} #{obj.related_id}"
        try:
            url = reverse(
                f"admin:{obj.related_type.app_label}_{obj.related_type.model}_change",
                args=[obj.related_id],
            )
        except Exception:
            return label
        return format_html('<a href="{}">{}</a>', url, label)


# --------------------------------------------------------------------------- templates


class MailTemplateForm(forms.Form):
    subject = forms.CharField(max_length=255, strip=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 22, "cols": 90}), strip=False)


class MailTemplateAdmin(admin.ModelAdmin):
    """One page lists every mail kind of an edition (default or the edition's own text);
    the editor saves, previews, mails a test and restores the default."""

    list_display = ["key", "conference", "subject", "updated_at", "updated_by"]
    list_filter = ["conference"]
    search_fields = ["key", "subject", "body"]
    list_select_related = ["conference", "updated_by"]
    change_list_template = "admin/plumbers/mail/templates_changelist.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "edit/<int:conference_id>/<str:key>/",
                wrap(self.edit_view),
                name="plumbers_mailtemplate_edit",
            ),
            *super().get_urls(),
        ]

    def _check(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied

    def changelist_view(self, request, extra_context=None):
        """Django's list of the editions' own texts, under the table of every mail kind."""
        self._check(request)
        conference = _conference(request)
        own = set()
        if conference is not None:
            own = set(
                MailTemplate.objects.filter(conference=conference).values_list("key", flat=True)
            )
        rows = [
            {
                "key": key,
                "kind": kind,
                "own": key in own,
                "url": conference
                and reverse("admin:plumbers_mailtemplate_edit", args=[conference.pk, key]),
            }
            for key, kind in mail_kinds().items()
        ]
        context = {
            "title": "Mail templates",
            "conference": conference,
            "conferences": Conference.objects.all(),
            "rows": rows,
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def has_add_permission(self, request):
        return False  # an edition's own text starts from a mail's "Edit" link

    def add_view(self, request, form_url="", extra_context=None):
        return self.changelist_view(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such mail template.")
        return self.edit_view(request, obj.conference_id, obj.key)

    def edit_view(self, request, conference_id, key):
        self._check(request)
        conference = get_object_or_404(Conference, pk=conference_id)
        kind = mail_kinds().get(key)
        if kind is None:
            raise Http404("No such mail.")
        subject, body, own = current_texts(conference=conference, key=key)
        preview = None
        problems: list[str] = []
        if request.method == "POST":
            form = MailTemplateForm(request.POST)
            if "_restore" in request.POST:
                restored = mail_template_restore_default(
                    conference=conference, key=key, actor=request.user
                )
                self.message_user(
                    request,
                    "The default text is used again." if restored else "It was the default.",
                )
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    if "_preview" in request.POST:
                        preview = render_sample(kind, subject=data["subject"], body=data["body"])
                    elif "_test" in request.POST:
                        mail_template_send_test(
                            kind=kind,
                            key=key,
                            subject=data["subject"],
                            body=data["body"],
                            actor=request.user,
                        )
                        self.message_user(
                            request,
                            f"A test copy was mailed to {request.user.email} (not saved).",
                        )
                    else:
                        mail_template_save(
                            conference=conference,
                            key=key,
                            subject=data["subject"],
                            body=data["body"],
                            actor=request.user,
                        )
                        self.message_user(request, f"“{kind.label}” saved for {conference}.")
                        return HttpResponseRedirect(request.path)
                except ValidationError as exc:
                    problems = _errors(exc)
        else:
            form = MailTemplateForm(initial={"subject": subject, "body": body})
        default_subject, default_body = default_texts(kind)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Mail: {kind.label}",
            "opts": self.model._meta,
            "conference": conference,
            "kind": kind,
            "key": key,
            "own": own,
            "form": form,
            "problems": problems,
            "preview": preview,
            "placeholders": placeholder_rows(kind),
            "default_subject": default_subject,
            "default_body": default_body,
        }
        return TemplateResponse(
            request,
            "admin/plumbers/mail/edit.html",
            context,
            status=400 if problems else 200,
        )


# --------------------------------------------------------------------------- bulk mail


class BulkMailForm(forms.Form):
    segment = forms.ChoiceField(label="Send to", choices=())
    addresses = forms.CharField(
        label="Addresses (CSV)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 90}),
        help_text="Only with “A list of addresses”: one address per line, or a CSV file's "
        "text; every address must belong to an account.",
        max_length=500_000,
    )
    subject = forms.CharField(max_length=255)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16, "cols": 90}), strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = bulk_mail.segment_choices()


class RecipientInline(admin.TabularInline):
    model = BulkMailRecipient
    fields = ["email", "state", "error", "attempts", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class BulkMailAdmin(admin.ModelAdmin):
    list_display = ["subject", "segment_label", "conference", "created_at", "created_by", "sent"]
    list_filter = ["conference"]
    search_fields = ["subject", "body", "recipients__email"]
    list_select_related = ["conference", "created_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_total=Count("recipients"),
                n_sent=Count("recipients", filter=Q(recipients__state="sent")),
                n_failed=Count("recipients", filter=Q(recipients__state="failed")),
            )
        )

    @admin.display(description="sent")
    def sent(self, obj):
        failed = f", {obj.n_failed} failed" if obj.n_failed else ""
        return f"{obj.n_sent} of {obj.n_total}{failed}"

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/resend-failed/",
                wrap(self.resend_failed_view),
                name="plumbers_bulkmail_resend_failed",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """Compose → preview (count, one copy) → send."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        conference = _conference(request)
        problems: list[str] = []
        preview = None
        status = 200
        form = BulkMailForm(request.POST or None)
        if request.method == "POST" and conference is None:
            problems = ["There is no edition yet."]
        elif request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if "_send" in request.POST:
                    bulk, created = bulk_mail.bulk_mail_send(
                        conference=conference,
                        token=request.POST.get("token", "")[:64],
                        segment=data["segment"],
                        addresses_csv=data["addresses"],
                        subject=data["subject"],
                        body=data["body"],
                        actor=request.user,
                    )
                    if created:
                        self.message_user(
                            request, f"The mail is queued for {bulk.recipients.count()} people."
                        )
                    else:
                        self.message_user(
                            request,
                            "This mail was sent already: nobody gets it twice.",
                            messages.WARNING,
                        )
                    return HttpResponseRedirect(
                        reverse("admin:plumbers_bulkmail_change", args=[bulk.pk])
                    )
                preview = bulk_mail.bulk_preview(
                    conference=conference,
                    segment=data["segment"],
                    addresses_csv=data["addresses"],
                    subject=data["subject"],
                    body=data["body"],
                )
            except ValidationError as exc:
                problems = _errors(exc)
        if problems or (request.method == "POST" and not form.is_valid()):
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": "Write a bulk mail",
            "opts": self.model._meta,
            "conference": conference,
            "form": form,
            "problems": problems,
            "preview": preview,
            "placeholders": placeholder_rows(bulk_mail.BULK_KIND),
        }
        return TemplateResponse(request, "admin/plumbers/mail/compose.html", context, status=status)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The outbox of one send: every recipient with its state."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        bulk = self.get_object(request, object_id)
        if bulk is None:
            raise Http404("No such bulk mail.")
        recipients = BulkMailRecipient.objects.filter(bulk_mail=bulk).order_by("email")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Outbox: {bulk.subject}",
            "opts": self.model._meta,
            "bulk": bulk,
            "counts": bulk_mail.outbox_counts(bulk),
            "recipients": recipients,
        }
        return TemplateResponse(request, "admin/plumbers/mail/outbox.html", context)

    def resend_failed_view(self, request, pk):
        if request.method != "POST":
            return self.change_view(request, str(pk))
        if not self.has_change_permission(request):
            raise PermissionDenied
        bulk = get_object_or_404(BulkMail, pk=pk)
        count = bulk_mail.bulk_mail_resend_failed(bulk_mail=bulk, actor=request.user)
        self.message_user(
            request,
            f"{count} failed mail(s) queued again." if count else "No mail had failed.",
        )
        return HttpResponseRedirect(reverse("admin:plumbers_bulkmail_change", args=[pk]))


def register(site) -> None:
    site.register(SentMail, SentMailAdmin)
    site.register(MailTemplate, MailTemplateAdmin)
    site.register(BulkMail, BulkMailAdmin)
