"""A realistic read mix against the registry, for ``tests/load/run.py`` (``make load``).

Visitors mostly browse: the home page, the standards list with and without filters, standard
pages, the glossary and concept pages, bodies, search, and API clients reading the JSON API.
Each request is named by its route (``/standards/[id]``) so the report is per route. Pages that
are not on this build (search, gaps) are left out of the mix after one probe says 404.

Only the ``--host`` given by run.py is contacted; it is always on 127.0.0.1.
"""

import random

from locust import HttpUser, between, events, task

# Filled once when the run starts, from the API of the registry under test.
CATALOGUE: dict[str, list] = {"standards": [], "concepts": [], "bodies": [], "areas": []}
OPTIONAL: dict[str, bool] = {}
SEARCH_TERMS = (
    "fairnes",
    "transparency",
    "robustness",
    "AI system",
    "bias",
    "risk management",
    "explainability",
    "safety",
    "42001",
    "accuracy",
)
STATUSES = ("published", "under_development")


@events.test_start.add_listener
def _discover(environment, **_kwargs) -> None:
    """Ids, slugs and codes to visit, and which optional pages exist on this build."""
    import requests

    host = environment.host
    assert host.startswith("http://127.0.0.1:"), "load runs only against 127.0.0.1"
    with requests.Session() as http:
        page, ids = 1, []
        while True:
            data = http.get(
                f"{host}/api/v1/standards", params={"per_page": 100, "page": page}, timeout=30
            ).json()
            ids += [item["id"] for item in data["items"]]
            if page * data["per_page"] >= data["total"]:
                break
            page += 1
        CATALOGUE["standards"] = ids
        CATALOGUE["concepts"] = [
            c["slug"]
            for c in http.get(
                f"{host}/api/v1/concepts", params={"per_page": 200}, timeout=30
            ).json()["items"]
        ]
        CATALOGUE["bodies"] = [
            b["code"] for b in http.get(f"{host}/api/v1/bodies", timeout=30).json()
        ]
        CATALOGUE["areas"] = [
            a["slug"] for a in http.get(f"{host}/api/v1/areas", timeout=30).json()
        ]
        for path in ("/search?q=fairness", "/gaps"):
            OPTIONAL[path.split("?")[0]] = http.get(host + path, timeout=30).status_code == 200
    assert CATALOGUE["standards"] and CATALOGUE["concepts"], "the registry under test is empty"


class Visitor(HttpUser):
    """A person reading pages (with shorter pauses than a person's, to push the server)."""

    wait_time = between(0.05, 0.5)
    weight = 3

    def _get(self, path: str, name: str, **params) -> None:
        self.client.get(path, params=params or None, name=name)

    @task(6)
    def home(self):
        self._get("/", "/")

    @task(5)
    def standards_list(self):
        self._get("/standards", "/standards", page=random.randint(1, 5))

    @task(5)
    def standards_filtered(self):
        choice = random.random()
        if choice < 0.4:
            self._get("/standards", "/standards?body=", body=random.choice(CATALOGUE["bodies"]))
        elif choice < 0.7:
            self._get(
                "/standards",
                "/standards?area=&status=",
                area=random.choice(CATALOGUE["areas"]),
                status=random.choice(STATUSES),
            )
        else:
            self._get(
                "/standards",
                "/standards?q=&sort=",
                q=random.choice(SEARCH_TERMS),
                sort="-published",
            )

    @task(10)
    def standard_page(self):
        self._get(f"/standards/{random.choice(CATALOGUE['standards'])}", "/standards/[id]")

    @task(4)
    def glossary(self):
        self._get("/glossary", "/glossary")

    @task(8)
    def concept_page(self):
        self._get(f"/glossary/{random.choice(CATALOGUE['concepts'])}", "/glossary/[slug]")

    @task(2)
    def bodies(self):
        self._get("/bodies", "/bodies")

    @task(3)
    def body_page(self):
        self._get(f"/bodies/{random.choice(CATALOGUE['bodies'])}", "/bodies/[code]")

    @task(6)
    def search(self):
        if OPTIONAL.get("/search"):
            self._get("/search", "/search?q=", q=random.choice(SEARCH_TERMS))

    @task(2)
    def gaps(self):
        if OPTIONAL.get("/gaps"):
            self._get("/gaps", "/gaps")


class ApiClient(HttpUser):
    """A program reading the JSON API."""

    wait_time = between(0.05, 0.5)
    weight = 1  # against the Visitor's 3: a quarter of the clients are programs

    @task(3)
    def standards(self):
        self.client.get(
            "/api/v1/standards",
            name="/api/v1/standards",
            params={"page": random.randint(1, 5), "per_page": 50},
        )

    @task(2)
    def standards_filtered(self):
        self.client.get(
            "/api/v1/standards",
            name="/api/v1/standards?body=",
            params={"body": random.choice(CATALOGUE["bodies"])},
        )

    @task(5)
    def standard(self):
        self.client.get(
            f"/api/v1/standards/{random.choice(CATALOGUE['standards'])}",
            name="/api/v1/standards/[id]",
        )

    @task(2)
    def concepts(self):
        self.client.get("/api/v1/concepts", name="/api/v1/concepts")

    @task(4)
    def concept(self):
        self.client.get(
            f"/api/v1/concepts/{random.choice(CATALOGUE['concepts'])}",
            name="/api/v1/concepts/[slug]",
        )

    @task(1)
    def bodies(self):
        self.client.get("/api/v1/bodies", name="/api/v1/bodies")

    @task(1)
    def areas(self):
        self.client.get("/api/v1/areas", name="/api/v1/areas")
