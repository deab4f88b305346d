from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citehack.accounts.services import get_or_create_user, language_for, send_sign_in_link
from citehack.core.views import event_view

from . import selectors, services
from .forms import CloneEventForm, EventForm, MemberForm, NewEventForm, PartnerForm, PhaseForm, ProgrammeItemForm
from .ical import programme_calendar
from .models import Event, Membership, Organisation, Partner, Phase, ProgrammeItem


def home(request):
    events = Event.objects.filter(is_public=True).exclude(phase=Phase.DRAFT).select_related("organisation")
    managed = selectors.managed_events(request.user) if request.user.is_authenticated else Event.objects.none()
    return render(request, "events/home.html", {"events": events, "managed": managed})


@event_view("events.view_event", login=False)
def detail(request, event):
    now, upcoming = selectors.now_and_next(event)
    registration = None
    if request.user.is_authenticated:
        registration = event.registrations.filter(user=request.user).first()
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "now": now,
            "next": upcoming,
            "partners": event.partners.all(),
            "registration": registration,
            "can_manage": request.user.has_perm("events.manage_event", event),
        },
    )


@event_view("events.view_event", login=False)
def programme(request, event):
    items = list(selectors.programme_with_counts(event))
    now, upcoming = selectors.now_and_next(event)
    signed_up = set()
    registration = None
    if request.user.is_authenticated:
        registration = event.registrations.filter(user=request.user, state="confirmed").first()
        if registration:
            signed_up = set(registration.workshop_signups.values_list("item_id", flat=True))
    return render(
        request,
        "events/programme.html",
        {"event": event, "items": items, "now": now, "next": upcoming, "signed_up": signed_up, "registration": registration},
    )


@event_view("events.view_event", login=False)
def programme_ics(request, event):
    host, _port = split_domain_port(request.get_host())
    body = programme_calendar(event, event.programme.all(), host=host or "citehack")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


# Organiser pages ---------------------------------------------------------------------------


@login_required
def dashboard(request):
    return render(request, "events/manage/dashboard.html", {"events": selectors.managed_events(request.user)})


@login_required
def event_create(request):
    if not selectors.can_create_events(request.user):
        raise PermissionDenied(_("Only organisers can create events."))
    if request.user.is_superuser:
        organisations = Organisation.objects.all()
    else:
        # The organisations the person belongs to, and those of the events they organise.
        organisations = Organisation.objects.filter(
            Q(organisers=request.user) | Q(events__memberships__user=request.user, events__memberships__role="organiser")
        ).distinct()
    form = NewEventForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        new_name = data.pop("new_organisation", "").strip()
        try:
            with transaction.atomic():
                if organisation is None:
                    from django.utils.text import slugify

                    base = slugify(new_name)[:40] or "organisation"
                    slug, n = base, 1
                    while Organisation.objects.filter(slug=slug).exists():
                        n += 1
                        slug = f"{base}-{n}"
                    organisation = services.create_organisation(actor=request.user, name=new_name, slug=slug)
                event = services.create_event(actor=request.user, organisation=organisation, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The event is created, in draft. Add its programme, then open registration."))
            return redirect("events:manage", slug=event.slug)
    return render(request, "events/manage/event_form.html", {"form": form, "creating": True})


@event_view("events.manage_event")
def manage(request, event):
    from citehack.registrations.selectors import registration_counts

    return render(
        request,
        "events/manage/overview.html",
        {
            "event": event,
            "nav": "overview",
            "counts": registration_counts(event),
            "phase_form": PhaseForm(initial={"phase": services.next_phase(event.phase) or event.phase}),
            "next_phase": services.next_phase(event.phase),
            "previous_phase": services.previous_phase(event.phase),
            "phases": Phase.choices,
            "audit": event.audit_entries.select_related("actor")[:10],
        },
    )


@event_view("events.manage_event")
def event_edit(request, event):
    form = EventForm(request.POST or None, instance=Event.objects.get(pk=event.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("events:manage", slug=form.cleaned_data["slug"])
    return render(request, "events/manage/event_form.html", {"form": form, "event": event, "nav": "overview"})


@require_POST
@event_view("events.manage_event")
def phase(request, event):
    form = PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a phase from the list."))
        return redirect("events:manage", slug=event.slug)
    try:
        services.move_phase(actor=request.user, event=event, target=form.cleaned_data["phase"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The event is now in the phase “%(phase)s”.") % {"phase": Phase(form.cleaned_data["phase"]).label})
    return redirect("events:manage", slug=event.slug)


@event_view("events.manage_event")
def event_clone(request, event):
    form = CloneEventForm(request.POST or None, initial={"title": event.title, "starts_at": event.starts_at})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.clone_event(actor=request.user, source=event, **form.cleaned_data)
        except (IntegrityError, ValidationError):
            form.add_error("slug", _("Another event already uses this short name."))
        else:
            messages.success(request, _("The new event is created from this one, in draft."))
            return redirect("events:manage", slug=copy.slug)
    return render(request, "events/manage/clone.html", {"form": form, "event": event, "nav": "overview"})


@event_view("events.manage_event")
def programme_manage(request, event):
    return render(
        request,
        "events/manage/programme.html",
        {"event": event, "nav": "programme", "items": selectors.programme_with_counts(event)},
    )


@event_view("events.manage_event")
def item_edit(request, event, pk=None):
    item = get_object_or_404(ProgrammeItem, pk=pk, event=event) if pk else None
    if item is None:
        initial_start = event.starts_at
        last = event.programme.order_by("-ends_at").first()
        if last:
            initial_start = last.ends_at
        form = ProgrammeItemForm(request.POST or None, initial={"starts_at": initial_start, "ends_at": initial_start})
    else:
        form = ProgrammeItemForm(request.POST or None, instance=ProgrammeItem.objects.get(pk=item.pk))
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                services.create_item(actor=request.user, event=event, **form.cleaned_data)
            else:
                services.update_item(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The programme is saved."))
            return redirect("events:programme_manage", slug=event.slug)
    return render(request, "events/manage/item_form.html", {"form": form, "event": event, "item": item, "nav": "programme"})


@event_view("events.manage_event")
def item_delete(request, event, pk):
    item = get_object_or_404(ProgrammeItem, pk=pk, event=event)
    if request.method == "POST":
        services.delete_item(actor=request.user, item=item)
        messages.success(request, _("The item is removed from the programme."))
        return redirect("events:programme_manage", slug=event.slug)
    return render(request, "events/manage/item_delete.html", {"event": event, "item": item, "nav": "programme"})


@event_view("events.manage_event")
def item_signups(request, event, pk):
    item = get_object_or_404(ProgrammeItem, pk=pk, event=event)
    signups = item.signups.select_related("registration__user")
    return render(request, "events/manage/item_signups.html", {"event": event, "item": item, "signups": signups, "nav": "programme"})


@event_view("events.manage_event")
def roles(request, event):
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        from citehack.accounts.models import User

        user = User.objects.filter(email__iexact=data["email"]).first()
        if user is None and not data["name"].strip():
            form.add_error("name", _("This person has no account yet: give their name."))
        else:
            with transaction.atomic():
                user = user or get_or_create_user(email=data["email"], name=data["name"])
                membership, created = services.add_member(actor=request.user, event=event, user=user, role=data["role"])
                if created and data["send_link"]:
                    with translation.override(language_for(user)):
                        send_sign_in_link(
                            user=user,
                            request=request,
                            next_url=event.get_absolute_url(),
                            subject=_("You are invited to %(event)s") % {"event": event.title},
                            intro=_("You now have the role “%(role)s” in %(event)s.")
                            % {"role": membership.get_role_display(), "event": event.title},
                        )
            if created:
                messages.success(request, _("%(name)s is now %(role)s.") % {"name": user, "role": membership.get_role_display()})
            else:
                messages.info(request, _("%(name)s already had this role.") % {"name": user})
            return redirect("events:roles", slug=event.slug)
    members = event.memberships.exclude(role="participant").select_related("user")
    return render(request, "events/manage/roles.html", {"event": event, "nav": "roles", "form": form, "members": members})


@require_POST
@event_view("events.manage_event")
def role_remove(request, event, pk):
    # Participants leave through their registration (cancellation), not here.
    membership = get_object_or_404(Membership.objects.exclude(role="participant"), pk=pk, event=event)
    try:
        services.remove_member(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The role is removed."))
    if not request.user.has_perm("events.manage_event", event):
        return redirect("accounts:home")
    return redirect("events:roles", slug=event.slug)


@event_view("events.manage_event")
def partners(request, event):
    form = PartnerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.add_partner(actor=request.user, event=event, **form.cleaned_data)
        messages.success(request, _("The partner is added."))
        return redirect("events:partners", slug=event.slug)
    return render(
        request, "events/manage/partners.html",
        {"event": event, "nav": "overview", "form": form, "partners": event.partners.all()},
    )


@require_POST
@event_view("events.manage_event")
def partner_remove(request, event, pk):
    partner = get_object_or_404(Partner, pk=pk, event=event)
    services.remove_partner(actor=request.user, partner=partner)
    messages.success(request, _("The partner is removed."))
    return redirect("events:partners", slug=event.slug)


@event_view("events.manage_event")
def audit_log(request, event):
    entries = event.audit_entries.select_related("actor")[:500]
    return render(request, "events/manage/audit.html", {"event": event, "entries": entries, "nav": "overview"})
