"""marshmallow schemas shared by the API, the importers and the exports."""
