"""JSON API of the changelog: entries, drafting one from a shipped idea, editing, publishing, who was told."""

from __future__ import annotations

from fastapi import APIRouter, Request

from northstar.changelog import service
from northstar.changelog.schemas import DraftRequest, EntryRead, EntryUpdate, PublishResult, ToldContact
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/changelog", tags=["changelog"])


def links(request: Request) -> service.Links:
    """Public links from the settings' public URL (else the address this request came to) and the app's key."""
    state = request.app.state
    base = state.settings.public_url or str(request.base_url)
    return service.Links(public_url=base.rstrip("/"), secret=state.secret_key)


@router.get("")
def list_entries(session: DB, actor: ApiActor) -> list[EntryRead]:
    return service.list_entries(session, actor)


@router.post("/draft", status_code=201)
def draft(body: DraftRequest, session: DB, actor: ApiActor) -> EntryRead:
    """Draft an entry from a shipped idea's description and the themes of the feedback behind it."""
    return service.draft_from_idea(session, actor, body.idea_id)


@router.get("/{entry_id}")
def get_entry(entry_id: int, session: DB, actor: ApiActor) -> EntryRead:
    return service.get_entry(session, actor, entry_id)


@router.patch("/{entry_id}")
def update_entry(entry_id: int, body: EntryUpdate, session: DB, actor: ApiActor) -> EntryRead:
    return service.update_entry(session, actor, entry_id, body)


@router.post("/{entry_id}/publish")
def publish(entry_id: int, request: Request, session: DB, actor: ApiActor) -> PublishResult:
    """Publish: the public page and feed show it, each contact who asked gets an e-mail, the feedback is answered."""
    return service.publish(session, actor, entry_id, links(request))


@router.get("/ideas/{idea_id}/told")
def told(idea_id: int, session: DB, actor: ApiActor) -> list[ToldContact]:
    """Who was told that an idea shipped, and the state of each e-mail."""
    return service.told_for_idea(session, actor, idea_id)
