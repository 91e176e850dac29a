"""A FastAPI service in the same repository: its decorators look like Flask's but this rule reads Flask routes."""
# fixture-path: services/search/main.py
from fastapi import FastAPI

from search.db import SessionLocal
from search.models import Query

app = FastAPI()


@app.get("/queries/{query_id}/forget")
def forget(query_id: int):
    db = SessionLocal()
    db.query(Query).filter(Query.id == query_id).delete()  # ok: FLASK-HTTP-001 (FastAPI, not a Flask route)
    db.commit()
    return {"ok": True}
