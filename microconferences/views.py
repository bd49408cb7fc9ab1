"""Public microconference pages and the leads' editing page.

The editing page is one page of small forms (content, each heading, each topic, add forms);
each form posts to its own URL, whose view checks the permission, validates, calls one
service and redirects back. A form with errors re-renders the whole page with that form
bound, so the message and what the person typed are shown in place."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from microconferences import services
from microconferences.forms import MicroconferenceContentForm, TopicForm, TopicGroupForm
from microconferences.models import Topic, TopicGroup
from microconferences.selectors import (
    microconference_for_editing,
    public_microconference,
    public_microconferences,
    with_outline,
)
from plumbers.fragments import local_value
from plumbers.pagecache import public_page
from plumbers.selectors import request_conference

EDIT_PERMISSION = "microconferences.edit_microconference"
FORBIDDEN = "Only this microconference's leads and the organizers can edit it."


@public_page
def microconference_list(request):
    conference = request_conference(request)
    return render(
        request,
        "microconferences/list.html",
        {
            "conference": conference,
            "microconferences": public_microconferences(conference=conference),
        },
    )


@public_page
def microconference_detail(request, slug):
    conference = request_conference(request)
    mc = local_value(  # any change to an MC bumps the content version
        f"microconferences.public:{conference.pk if conference else None}:{slug}",
        lambda: public_microconference(conference=conference, slug=slug, outline=False),
        request=request,
    )
    if mc is None:
        raise Http404("No such microconference.")
    return render(
        request,
        "microconferences/detail.html",
        {
            "mc": mc,
            # Read only when the shared outline fragment is not cached yet.
            "outline": functools.partial(with_outline, mc),
            "can_edit": request.user.has_perm(EDIT_PERMISSION, mc),
        },
    )


# ------------------------------------------------------------------------ editing page


def _editable(request, slug):
    """The MC named in the URL, if this person may edit it: 404 if it does not exist in the
    current edition, 403 if it is somebody else's."""
    mc = microconference_for_editing(conference=request_conference(request), slug=slug)
    if mc is None:
        raise Http404("No such microconference.")
    if not request.user.has_perm(EDIT_PERMISSION, mc):
        raise PermissionDenied(FORBIDDEN)
    return mc


def _edit_url(mc, anchor: str = "") -> str:
    url = reverse("microconferences:edit", kwargs={"slug": mc.slug})
    return f"{url}#{anchor}" if anchor else url


def _topic_form(mc, groups, topic=None, data=None):
    if topic is None:
        return TopicForm(
            data,
            microconference=mc,
            groups=groups,
            prefix="new-topic",
            title_label="New topic",
            group_label="Heading of the new topic",
        )
    return TopicForm(
        data,
        microconference=mc,
        groups=groups,
        prefix=f"topic-{topic.pk}",
        initial={"title": topic.title, "group": topic.group_id},
        title_label="Topic title",
        group_label="Heading",
    )


def _group_form(group=None, data=None):
    if group is None:
        return TopicGroupForm(data, prefix="new-group", label="New heading")
    return TopicGroupForm(
        data, prefix=f"group-{group.pk}", initial={"title": group.title}, label="Heading title"
    )


def _render_edit(request, mc, *, bound=None, status=200):
    """The whole editing page; ``bound`` replaces one form by its posted, invalid version:
    ("content" | "new-topic" | "new-group" | ("topic", pk) | ("group", pk), form)."""
    key, bound_form = bound if bound else (None, None)
    groups = list(mc.topic_groups.all())

    def pick(k, make):
        return bound_form if key == k else make()

    sections = [
        {
            "group": None,
            "topics": [
                (t, pick(("topic", t.pk), lambda t=t: _topic_form(mc, groups, t)))
                for t in mc.ungrouped_topics
            ],
        }
    ] + [
        {
            "group": g,
            "form": pick(("group", g.pk), lambda g=g: _group_form(g)),
            "topics": [
                (t, pick(("topic", t.pk), lambda t=t: _topic_form(mc, groups, t)))
                for t in g.topics.all()
            ],
        }
        for g in groups
    ]
    context = {
        "mc": mc,
        "sections": sections,
        "group_count": len(groups),
        "content_form": pick("content", lambda: MicroconferenceContentForm(instance=mc)),
        "new_topic_form": pick("new-topic", lambda: _topic_form(mc, groups)),
        "new_group_form": pick("new-group", lambda: _group_form()),
    }
    return render(request, "microconferences/edit.html", context, status=status)


def _service_failed(request, mc, error):
    messages.error(request, str(error))
    return _render_edit(request, mc)


@login_required
def microconference_edit(request, slug):
    mc = _editable(request, slug)
    if request.method != "POST":
        return _render_edit(request, mc)
    form = MicroconferenceContentForm(request.POST, instance=mc)
    if form.is_valid():
        try:
            services.microconference_update_content(
                microconference=mc,
                summary=form.cleaned_data["summary"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except services.MicroconferenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The summary and description were saved.")
            return redirect(_edit_url(mc))
    mc = _editable(request, slug)  # the invalid form wrote onto the instance: reload it
    return _render_edit(request, mc, bound=("content", form))


@login_required
@require_POST
def topic_add(request, slug):
    mc = _editable(request, slug)
    form = _topic_form(mc, list(mc.topic_groups.all()), data=request.POST)
    if not form.is_valid():
        return _render_edit(request, mc, bound=("new-topic", form))
    try:
        topic = services.topic_create(
            microconference=mc,
            title=form.cleaned_data["title"],
            group=form.cleaned_data["group"],
            actor=request.user,
        )
    except services.MicroconferenceError as error:
        form.add_error(None, str(error))
        return _render_edit(request, mc, bound=("new-topic", form))
    messages.success(request, f"Topic “{topic.title}” added.")
    return redirect(_edit_url(mc, f"topic-{topic.pk}"))


@login_required
@require_POST
def topic_edit(request, slug, pk):
    mc = _editable(request, slug)
    topic = get_object_or_404(Topic, pk=pk, microconference=mc)
    form = _topic_form(mc, list(mc.topic_groups.all()), topic=topic, data=request.POST)
    if not form.is_valid():
        return _render_edit(request, mc, bound=(("topic", topic.pk), form))
    try:
        services.topic_update(
            topic=topic,
            title=form.cleaned_data["title"],
            group=form.cleaned_data["group"],
            actor=request.user,
        )
    except services.MicroconferenceError as error:
        form.add_error(None, str(error))
        return _render_edit(request, mc, bound=(("topic", topic.pk), form))
    messages.success(request, "Topic saved.")
    return redirect(_edit_url(mc, f"topic-{topic.pk}"))


@login_required
@require_POST
def topic_move(request, slug, pk):
    mc = _editable(request, slug)
    topic = get_object_or_404(Topic, pk=pk, microconference=mc)
    try:
        services.topic_move(
            topic=topic, direction=request.POST.get("direction", ""), actor=request.user
        )
    except services.MicroconferenceError as error:
        return _service_failed(request, mc, error)
    messages.success(request, f"Topic “{topic.title}” moved.")
    return redirect(_edit_url(mc, f"topic-{topic.pk}"))


@login_required
@require_POST
def topic_delete(request, slug, pk):
    mc = _editable(request, slug)
    topic = get_object_or_404(Topic, pk=pk, microconference=mc)
    services.topic_delete(topic=topic, actor=request.user)
    messages.success(request, f"Topic “{topic.title}” deleted.")
    return redirect(_edit_url(mc, "topics"))


@login_required
@require_POST
def group_add(request, slug):
    mc = _editable(request, slug)
    form = _group_form(data=request.POST)
    if not form.is_valid():
        return _render_edit(request, mc, bound=("new-group", form))
    try:
        group = services.topic_group_create(
            microconference=mc, title=form.cleaned_data["title"], actor=request.user
        )
    except services.MicroconferenceError as error:
        form.add_error(None, str(error))
        return _render_edit(request, mc, bound=("new-group", form))
    messages.success(request, f"Heading “{group.title}” added.")
    return redirect(_edit_url(mc, f"group-{group.pk}"))


@login_required
@require_POST
def group_edit(request, slug, pk):
    mc = _editable(request, slug)
    group = get_object_or_404(TopicGroup, pk=pk, microconference=mc)
    form = _group_form(group, data=request.POST)
    if not form.is_valid():
        return _render_edit(request, mc, bound=(("group", group.pk), form))
    try:
        services.topic_group_update(
            group=group, title=form.cleaned_data["title"], actor=request.user
        )
    except services.MicroconferenceError as error:
        form.add_error(None, str(error))
        return _render_edit(request, mc, bound=(("group", group.pk), form))
    messages.success(request, "Heading saved.")
    return redirect(_edit_url(mc, f"group-{group.pk}"))


@login_required
@require_POST
def group_move(request, slug, pk):
    mc = _editable(request, slug)
    group = get_object_or_404(TopicGroup, pk=pk, microconference=mc)
    try:
        services.topic_group_move(
            group=group, direction=request.POST.get("direction", ""), actor=request.user
        )
    except services.MicroconferenceError as error:
        return _service_failed(request, mc, error)
    messages.success(request, f"Heading “{group.title}” moved.")
    return redirect(_edit_url(mc, f"group-{group.pk}"))


@login_required
@require_POST
def group_delete(request, slug, pk):
    """Deleting a heading deletes its topics too, so a heading that still holds topics asks
    for confirmation first (a second POST with ``confirm``)."""
    mc = _editable(request, slug)
    group = get_object_or_404(TopicGroup, pk=pk, microconference=mc)
    topics = list(group.topics.order_by("order", "pk"))
    if topics and request.POST.get("confirm") != "yes":
        return render(
            request,
            "microconferences/group_confirm_delete.html",
            {"mc": mc, "group": group, "topics": topics},
        )
    count = services.topic_group_delete(group=group, actor=request.user)
    suffix = f" and its {count} topic{'s' if count != 1 else ''}" if count else ""
    messages.success(request, f"Heading “{group.title}”{suffix} deleted.")
    return redirect(_edit_url(mc, "topics"))
