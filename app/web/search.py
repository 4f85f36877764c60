from flask import render_template
from flask_babel import lazy_gettext as _l

from app.extensions import limiter
from app.search import hit_url, run, search_limit
from app.web import bp
from app.web.args import load_args
from registry.schemas.search import SearchArgs

KIND_LABELS = {"standard": _l("Standards"), "concept": _l("Concepts"),
               "definition": _l("Definitions")}
# One result's kind, above its title.
HIT_LABELS = {"standard": _l("Standard"), "concept": _l("Concept"),
              "definition": _l("Definition")}


@bp.get("/search")
@limiter.limit(search_limit)
def search():
    args = load_args(SearchArgs)
    return render_template(
        "search/results.html",
        results=run(args),
        args=args,
        hit_url=hit_url,
        KIND_LABELS=KIND_LABELS,
        HIT_LABELS=HIT_LABELS,
    )
