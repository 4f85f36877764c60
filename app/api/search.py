from app.api import ApiBlueprint
from app.extensions import limiter
from app.search import hit_url, run, search_limit
from registry.schemas.api import Overlay
from registry.schemas.search import SearchArgs, SearchResultsOut

blp = ApiBlueprint(
    "search_api",
    __name__,
    url_prefix="/api/v1",
    description="Search standards, concepts and definitions",
)


@blp.get("/search")
@limiter.limit(search_limit)
@blp.arguments(SearchArgs, location="query", as_kwargs=True)
@blp.response(200, SearchResultsOut)
def search(**args):
    """Full-text search with facets, highlighted snippets and typo help.

    Words must all match; "quoted phrases", `a OR b`, `-word` and `word*` work as on web
    search engines. An empty or unusable query gives no items and a `message`, not an error.
    """
    results = run(args)
    results.items = [Overlay(hit, url=hit_url(hit)) for hit in results.items]
    return results
