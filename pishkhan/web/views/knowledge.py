"""The knowledge base in the browser: the tenant's public help centre under /help/ (no login;
internal articles for staff only) and the agent workspace's authoring pages under /agent/kb/.

Help-centre addresses are readable: /help/<category slug>/<article slug>/ with the Persian
letters kept (browsers show them as typed and send them percent-encoded)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.deflection.services import search_record
from pishkhan.knowledge import diff, selectors, services
from pishkhan.knowledge.models import ArticleStatus, Language, Visibility
from pishkhan.search.selectors import search
from pishkhan.web.forms import apply_errors
from pishkhan.web.views.access import staff_required

PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 20
# Article ids whose reading this session has already counted. Bounded, so a crawler keeping
# one session cannot grow it without limit (the oldest fall out and may count again).
VIEWED_KEY = "kb_viewed"
VIEWED_MAX = 300
QUERY_MAX = 200


def _language() -> str:
    return "en" if (get_language() or "fa").startswith("en") else "fa"


def _staff(request) -> bool:
    return request.membership is not None


# --- help centre -----------------------------------------------------------------------------


def help_home(request):
    staff = _staff(request)
    categories = [
        category
        for category in selectors.category_list_with_counts(tenant=request.tenant, staff=staff)
        if category.article_count
    ]
    return render(
        request,
        "web/knowledge/help_home.html",
        {
            "categories": categories,
            "popular": selectors.article_list_popular(tenant=request.tenant, staff=staff),
            "recent": selectors.article_list_published(tenant=request.tenant, staff=staff, limit=5),
        },
    )


def help_category(request, category: str):
    found = selectors.category_get_by_slug(tenant=request.tenant, slug=category)
    if found is None:
        raise Http404
    articles = selectors.article_list_published(
        tenant=request.tenant, staff=_staff(request), category=found
    )
    if not articles and not _staff(request):
        # An empty (or internal-only) category is not part of the public help centre.
        raise Http404
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/knowledge/help_category.html", {"category": found, "page": page})


def _count_view(request, article) -> None:
    if _staff(request):
        # Authors checking their own work are not readers.
        return
    viewed = list(request.session.get(VIEWED_KEY, []))
    if article.pk in viewed:
        return
    services.article_view_count(tenant=request.tenant, article=article)
    viewed.append(article.pk)
    request.session[VIEWED_KEY] = viewed[-VIEWED_MAX:]


def _vote_of(request, article):
    if request.customer is None and not request.session.session_key:
        return None
    visitor = services.visitor_key(
        customer=request.customer, session_key=request.session.session_key or ""
    )
    return selectors.feedback_get(tenant=request.tenant, article=article, visitor=visitor)


def help_article(request, category: str, slug: str):
    staff = _staff(request)
    article = selectors.article_get_by_slug(
        tenant=request.tenant, category_slug=category, slug=slug, staff=staff, language=_language()
    )
    if article is None:
        moved = selectors.article_find_moved(tenant=request.tenant, slug=slug, staff=staff)
        if moved is None:
            raise Http404
        # The category changed since the address was shared: send readers to where it is now.
        return redirect(selectors.article_url(moved), permanent=True)
    _count_view(request, article)
    translation = article.translation
    if translation is not None and (
        translation.status != ArticleStatus.PUBLISHED
        or (not staff and translation.visibility != Visibility.PUBLIC)
    ):
        translation = None
    return render(
        request,
        "web/knowledge/help_article.html",
        {
            "article": article,
            "translation": translation,
            "vote": _vote_of(request, article),
            # Images show inside the text; the other files are offered for download below it.
            "downloads": [
                f
                for f in selectors.file_list(tenant=request.tenant, article=article)
                if not f.is_image
            ],
            "related": [
                other
                for other in selectors.article_list_published(
                    tenant=request.tenant, staff=staff, category=article.category, limit=6
                )
                if other.pk != article.pk
            ][:5],
        },
    )


@require_POST
def help_feedback(request, pk: int):
    article = selectors.article_get_visible(tenant=request.tenant, pk=pk, staff=_staff(request))
    if article is None:
        raise Http404
    answer = request.POST.get("helpful", "")
    error = ""
    vote = None
    if not request.session.session_key:
        request.session.save()
    try:
        vote = services.feedback_submit(
            tenant=request.tenant,
            article=article,
            helpful={"yes": True, "no": False}.get(answer, answer),
            comment=request.POST.get("comment", ""),
            customer=request.customer,
            session_key=request.session.session_key or "",
        )
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", [str(exc)]))
    else:
        # The counters changed with the vote: show them as they are now.
        article.refresh_from_db(fields=["helpful_count", "not_helpful_count"])
    if request.headers.get("HX-Request"):
        return render(
            request,
            "web/knowledge/_feedback.html",
            {"article": article, "vote": vote, "error": error, "thanked": vote is not None},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect(selectors.article_url(article) + "#feedback")


def help_search(request):
    staff = _staff(request)
    query = " ".join(str(request.GET.get("q", "")).split())[:QUERY_MAX]
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    page_number = min(page_number, 1000)
    results = []
    has_more = False
    if query:
        found = search(
            tenant=request.tenant,
            query=query,
            kinds=["article"],
            audience="agent" if staff else "public",
            limit=SEARCH_PAGE_SIZE,
            offset=(page_number - 1) * SEARCH_PAGE_SIZE,
        )
        articles = selectors.articles_visible_by_ids(
            tenant=request.tenant, ids=[hit.object_id for hit in found.hits], staff=staff
        )
        # A hit whose article is no longer visible (unpublished a moment ago) is left out.
        results = [
            {"article": articles[hit.object_id], "snippet": hit.snippet}
            for hit in found.hits
            if hit.object_id in articles
        ]
        has_more = found.has_more
        if page_number == 1:
            search_record(
                tenant=request.tenant,
                source="help_centre",
                query=query,
                results=len(results),
                customer=request.customer,
            )
    return render(
        request,
        "web/knowledge/help_search.html",
        {
            "query": query,
            "results": results,
            "page_number": page_number,
            "has_more": has_more,
        },
    )


def help_file(request, pk: int):
    """An article's image or attachment, for whoever may read the article."""
    found = selectors.file_get_visible(tenant=request.tenant, pk=pk, staff=_staff(request))
    if found is None:
        raise Http404
    inline = found.content_type.startswith(("image/", "application/pdf"))
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=not inline,
        filename=found.filename,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    public = found.article.status == ArticleStatus.PUBLISHED and found.article.is_public
    response["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=0"
    return response


# --- authoring (agent workspace) -------------------------------------------------------------


def _article_or_404(request, pk: int):
    article = selectors.article_get(tenant=request.tenant, pk=pk)
    if article is None:
        raise Http404
    return article


def _category_or_404(request, pk: int):
    category = selectors.category_get(tenant=request.tenant, pk=pk)
    if category is None:
        raise Http404
    return category


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    category = forms.TypedChoiceField(label=gettext_lazy("Category"), coerce=int)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who may read it"),
        choices=Visibility.choices,
        help_text=gettext_lazy("Internal articles are shown to staff only, never to customers."),
    )
    translation = forms.TypedChoiceField(
        label=gettext_lazy("Translation"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("The same article in the other language, linked both ways."),
    )
    slug = forms.CharField(
        label=gettext_lazy("Address (optional)"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Empty: made from the title, Persian letters kept."),
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=services.BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=gettext_lazy(
            "Plain text (a blank line starts a paragraph) or simple HTML: p, h2-h4, ul/ol/li, "
            "a, strong, em, code, pre, blockquote, and img showing this article's own files. "
            "Anything else is removed."
        ),
    )

    def __init__(self, *args, tenant, article=None, **kwargs):
        super().__init__(*args, **kwargs)
        language = _language()
        self.fields["category"].choices = [("", "—")] + [
            (category.pk, category.label(language))
            for category in selectors.category_list(tenant=tenant)
        ]
        # The language sent, else the saved one, else the one a new article starts in.
        article_language = self.data.get("language") or self.initial.get("language") or "fa"
        if article_language not in Language.values:
            article_language = "fa"
        # Written in the article's direction, whatever the interface's language; the page's
        # script turns them as soon as another language is chosen, before anything is saved.
        direction = "ltr" if article_language == Language.ENGLISH else "rtl"
        for name in ("title", "body"):
            self.fields[name].widget.attrs.update(
                {"dir": direction, "lang": article_language, "data-follows-language": ""}
            )
        # Grouped by language, the other language's articles first: the language chosen above
        # may change before the form is sent; the service refuses a same-language link.
        candidates = selectors.translation_choices(
            tenant=tenant, exclude=article.pk if article else None
        )
        other_language = Language.PERSIAN if direction == "ltr" else Language.ENGLISH
        groups = []
        for group_language in (other_language, article_language):
            members = [(a.pk, a.title) for a in candidates if a.language == group_language]
            if members:
                groups.append((Language(group_language).label, members))
        self.fields["translation"].choices = [("", "—"), *groups]

    def service_arguments(self, tenant) -> dict:
        data = dict(self.cleaned_data)
        data["category"] = selectors.category_get(tenant=tenant, pk=data["category"])
        data["translation"] = (
            selectors.article_get(tenant=tenant, pk=data["translation"])
            if data["translation"]
            else None
        )
        if data["category"] is None:
            raise ValidationError({"category": [_("Not found in this workspace.")]})
        return data


def _article_initial(article) -> dict:
    return {
        "title": article.title,
        "category": article.category_id,
        "language": article.language,
        "visibility": article.visibility,
        "translation": article.translation_id,
        "slug": article.slug,
        "body": article.body,
    }


@staff_required
def article_list(request):
    tenant = request.tenant
    categories = selectors.category_list(tenant=tenant)
    chosen = str(request.GET.get("category", ""))
    category = next((c for c in categories if str(c.pk) == chosen), None)
    language = request.GET.get("language", "")
    status = request.GET.get("status", "")
    visibility = request.GET.get("visibility", "")
    articles = selectors.article_list(
        tenant=tenant,
        category=category,
        language=language if language in Language.values else "",
        status=status if status in ArticleStatus.values else "",
        visibility=visibility if visibility in Visibility.values else "",
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/knowledge/agent/articles.html",
        {
            "page": page,
            "categories": categories,
            "chosen": {
                "category": category.pk if category else None,
                "language": language,
                "status": status,
                "visibility": visibility,
            },
            # The filters, kept by the pagination links.
            "query": urlencode(
                {
                    key: value
                    for key, value in request.GET.items()
                    if key in {"category", "language", "status", "visibility"} and value
                }
            ),
            "languages": Language.choices,
            "statuses": ArticleStatus.choices,
            "visibilities": Visibility.choices,
        },
    )


@staff_required
def article_edit(request, pk: int | None = None):
    tenant = request.tenant
    article = _article_or_404(request, pk) if pk is not None else None
    # A read-only member reads an article but gets no form to write one: as on the other
    # pages they have no right to, a new article or a change answers 404.
    if (article is None or request.method == "POST") and not request.membership.can_write:
        raise Http404
    form = ArticleForm(
        request.POST or None,
        initial=_article_initial(article) if article else {"language": _language()},
        tenant=tenant,
        article=article,
    )
    if request.method == "POST" and form.is_valid():
        try:
            arguments = form.service_arguments(tenant)
            if article is None:
                article = services.article_create(
                    tenant=tenant,
                    actor=request.user,
                    publish=request.POST.get("action") == "publish",
                    **arguments,
                )
                messages.success(request, _("Article saved."))
            else:
                services.article_update(
                    tenant=tenant, actor=request.user, article=article, **arguments
                )
                messages.success(request, _("Article saved."))
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("web:kb_article_edit", pk=article.pk)
    context = {"form": form, "article": article}
    if article is not None:
        context.update(
            files=selectors.file_list(tenant=tenant, article=article),
            feedback=selectors.feedback_list(tenant=tenant, article=article, limit=20),
            help_url=selectors.article_url(article) if article.is_published else "",
        )
    # A form sent back with its errors is a refused request, as on the other forms.
    status = 400 if request.method == "POST" else 200
    return render(request, "web/knowledge/agent/article_form.html", context, status=status)


def _status_change(request, pk: int, change, done: str):
    article = _article_or_404(request, pk)
    try:
        change(tenant=request.tenant, actor=request.user, article=article)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, done)
    return redirect("web:kb_article_edit", pk=article.pk)


@require_POST
@staff_required
def article_publish(request, pk: int):
    return _status_change(request, pk, services.article_publish, _("Article published."))


@require_POST
@staff_required
def article_unpublish(request, pk: int):
    return _status_change(
        request, pk, services.article_unpublish, _("Article unpublished: it is a draft again.")
    )


@require_POST
@staff_required
def article_delete(request, pk: int):
    article = _article_or_404(request, pk)
    try:
        services.article_delete(tenant=request.tenant, actor=request.user, article=article)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("web:kb_article_edit", pk=article.pk)
    messages.success(request, _("Article deleted."))
    return redirect("web:kb_articles")


@staff_required
def revision_list(request, pk: int):
    article = _article_or_404(request, pk)
    return render(
        request,
        "web/knowledge/agent/revisions.html",
        {
            "article": article,
            "revisions": selectors.revision_list(tenant=request.tenant, article=article),
        },
    )


@staff_required
def revision_detail(request, pk: int, number: int):
    article = _article_or_404(request, pk)
    revision = selectors.revision_get(tenant=request.tenant, article=article, number=number)
    if revision is None:
        raise Http404
    return render(
        request,
        "web/knowledge/agent/revision.html",
        {
            "article": article,
            "revision": revision,
            # What restoring it would change: the current text against this revision's.
            "changes": diff.changes(
                article.body,
                revision.body,
                title_older=article.title,
                title_newer=revision.title,
            ),
        },
    )


@require_POST
@staff_required
def revision_restore(request, pk: int, number: int):
    article = _article_or_404(request, pk)
    if selectors.revision_get(tenant=request.tenant, article=article, number=number) is None:
        raise Http404
    try:
        services.revision_restore(
            tenant=request.tenant, actor=request.user, article=article, number=number
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("web:kb_revision", pk=article.pk, number=number)
    messages.success(request, _("Revision %(n)s restored.") % {"n": number})
    return redirect("web:kb_article_edit", pk=article.pk)


@require_POST
@staff_required
def file_upload(request, pk: int):
    article = _article_or_404(request, pk)
    try:
        added = services.file_add(
            tenant=request.tenant,
            actor=request.user,
            article=article,
            files=request.FILES.getlist("files"),
        )
    except (PermissionDenied, ValidationError) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)s file(s) attached.") % {"n": len(added)})
    return redirect(f"{_edit_url(article)}#files")


def _edit_url(article) -> str:
    return reverse("web:kb_article_edit", kwargs={"pk": article.pk})


@require_POST
@staff_required
def file_delete(request, pk: int, file_pk: int):
    article = _article_or_404(request, pk)
    found = selectors.file_get(tenant=request.tenant, article=article, pk=file_pk)
    if found is None:
        raise Http404
    try:
        services.file_delete(tenant=request.tenant, actor=request.user, file=found)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("File removed."))
    return redirect(f"{_edit_url(article)}#files")


# --- categories ------------------------------------------------------------------------------


class CategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name (Persian)"), max_length=services.NAME_MAX)
    name_en = forms.CharField(
        label=gettext_lazy("Name (English)"), max_length=services.NAME_MAX, required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), max_length=services.DESCRIPTION_MAX, required=False
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"), min_value=0, max_value=32767, initial=0, required=False
    )
    slug = forms.CharField(
        label=gettext_lazy("Address (optional)"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Empty: made from the name, Persian letters kept."),
    )


@staff_required
def category_list(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_create(
                tenant=request.tenant, actor=request.user, **_category_arguments(form)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Category saved."))
            return redirect("web:kb_categories")
    return render(
        request,
        "web/knowledge/agent/categories.html",
        {
            "form": form,
            "categories": selectors.category_list_with_counts(tenant=request.tenant, staff=True),
        },
    )


def _category_arguments(form) -> dict:
    data = dict(form.cleaned_data)
    data["position"] = data.get("position") or 0
    return data


@staff_required
def category_edit(request, pk: int):
    category = _category_or_404(request, pk)
    form = CategoryForm(
        request.POST or None,
        initial={
            "name": category.name,
            "name_en": category.name_en,
            "description": category.description,
            "position": category.position,
            "slug": category.slug,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(
                tenant=request.tenant,
                actor=request.user,
                category=category,
                **_category_arguments(form),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Category saved."))
            return redirect("web:kb_categories")
    return render(
        request,
        "web/knowledge/agent/category_form.html",
        {"form": form, "category": category},
    )


@require_POST
@staff_required
def category_delete(request, pk: int):
    category = _category_or_404(request, pk)
    try:
        services.category_delete(tenant=request.tenant, actor=request.user, category=category)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("web:kb_category_edit", pk=category.pk)
    messages.success(request, _("Category deleted."))
    return redirect("web:kb_categories")


urls: list = [
    # Help centre (public). The fixed words come before the category slugs; the services
    # never give a category one of these addresses.
    path("help/", help_home, name="kb_home"),
    path("help/search/", help_search, name="kb_search"),
    path("help/files/<int:pk>/", help_file, name="kb_file"),
    path("help/articles/<int:pk>/feedback/", help_feedback, name="kb_feedback"),
    path("help/<str:category>/", help_category, name="kb_category"),
    path("help/<str:category>/<str:slug>/", help_article, name="kb_article"),
    # Authoring
    path("agent/kb/", article_list, name="kb_articles"),
    path("agent/kb/new/", article_edit, name="kb_article_new"),
    path("agent/kb/<int:pk>/", article_edit, name="kb_article_edit"),
    path("agent/kb/<int:pk>/publish/", article_publish, name="kb_article_publish"),
    path("agent/kb/<int:pk>/unpublish/", article_unpublish, name="kb_article_unpublish"),
    path("agent/kb/<int:pk>/delete/", article_delete, name="kb_article_delete"),
    path("agent/kb/<int:pk>/revisions/", revision_list, name="kb_revisions"),
    path("agent/kb/<int:pk>/revisions/<int:number>/", revision_detail, name="kb_revision"),
    path(
        "agent/kb/<int:pk>/revisions/<int:number>/restore/",
        revision_restore,
        name="kb_revision_restore",
    ),
    path("agent/kb/<int:pk>/files/", file_upload, name="kb_files"),
    path("agent/kb/<int:pk>/files/<int:file_pk>/delete/", file_delete, name="kb_file_delete"),
    path("agent/kb/categories/", category_list, name="kb_categories"),
    path("agent/kb/categories/<int:pk>/", category_edit, name="kb_category_edit"),
    path("agent/kb/categories/<int:pk>/delete/", category_delete, name="kb_category_delete"),
]
