"""Every importer reads a small file of its format, keeps ids stable for idempotent re-imports, and reports bad rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from northstar.feedback.importers.email import import_eml, import_mbox, strip_reply
from northstar.feedback.importers.mapping import ColumnMapping, import_table
from northstar.feedback.importers.records import ImportFormatError
from northstar.feedback.importers.registry import import_file
from northstar.feedback.importers.sources import (
    import_app_store,
    import_canny,
    import_google_play,
    import_intercom,
    import_jira,
    import_productboard,
    import_zendesk,
)


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_mapped_csv_jsonl_and_parquet_give_the_same_records(tmp_path: Path) -> None:
    rows = [{"id": "1", "body": "Export is slow", "mail": "ann@acme.com", "stars": "2", "when": "2026-03-02"}]
    write_csv(tmp_path / "f.csv", list(rows[0]), [list(rows[0].values())])
    (tmp_path / "f.jsonl").write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "f.parquet")
    mapping = ColumnMapping(
        text="body", external_id="id", author_email="mail", rating="stars", created_at="when"
    )
    results = [import_table(tmp_path / name, mapping) for name in ("f.csv", "f.jsonl", "f.parquet")]
    for result in results:
        record = result.records[0]
        assert (record.external_id, record.text, record.author_email, record.rating) == (
            "1",
            "Export is slow",
            "ann@acme.com",
            2.0,
        )
        assert record.created_at is not None and record.created_at.day == 2
    assert results[0].email_domains == {"acme.com"}


def test_rows_without_text_are_reported_not_dropped(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", ["text"], [["ok"], ["  "], ["also ok"]])
    result = import_table(path, ColumnMapping(text="text"))
    assert [r.external_id for r in result.records] == ["row-1", "row-3"]
    assert result.rejected == [(2, "empty text in column 'text'")]


def test_missing_text_column_names_the_available_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", ["comment", "id"], [["hi", "1"]])
    with pytest.raises(ImportFormatError, match="'text' not found; columns are: comment, id"):
        import_table(path, ColumnMapping(text="text"))


def test_google_play_export_in_utf16(tmp_path: Path) -> None:
    header = [
        "Package Name",
        "App Version Name",
        "Reviewer Language",
        "Review Submit Date and Time",
        "Star Rating",
        "Review Title",
        "Review Text",
        "Review Link",
    ]
    path = tmp_path / "reviews.csv"
    write_csv(
        path,
        header,
        [
            [
                "com.acme",
                "2.1",
                "en",
                "2026-02-01T10:00:00Z",
                "1",
                "",
                "Crashes on start",
                "https://play.google.com/r/1",
            ]
        ],
        encoding="utf-16",
    )
    record = import_google_play(path).records[0]
    assert (record.source, record.text, record.rating, record.external_id) == (
        "google_play",
        "Crashes on start",
        1.0,
        "https://play.google.com/r/1",
    )
    assert record.extra["app"] == "com.acme"


def test_app_store_reviews(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "as.csv",
        ["ID", "Date", "Rating", "Title", "Review", "Nickname", "Version", "Territory"],
        [["99", "2026-01-03", "5", "Great", "Love the widgets", "kim", "3.0", "FR"]],
    )
    record = import_app_store(path).records[0]
    assert (record.external_id, record.text, record.title, record.rating, record.author_name) == (
        "99",
        "Love the widgets",
        "Great",
        5.0,
        "kim",
    )


def test_canny_posts(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "canny.csv",
        [
            "ID",
            "Title",
            "Details",
            "Board",
            "Status",
            "Author Name",
            "Author Email",
            "Votes",
            "Created At",
            "URL",
            "Tags",
        ],
        [
            [
                "p1",
                "Dark mode",
                "Please add it",
                "Ideas",
                "open",
                "Lee",
                "lee@corp.io",
                "42",
                "2026-01-05T00:00:00Z",
                "https://x.canny.io/p1",
                "ui, theme",
            ]
        ],
    )
    record = import_canny(path).records[0]
    assert (
        record.text == "Dark mode\n\nPlease add it" and record.votes == 42 and record.tags == ["ui", "theme"]
    )
    assert record.extra == {"board": "Ideas", "status": "open"}


def test_productboard_notes(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "pb.csv",
        [
            "Note ID",
            "Note title",
            "Note text",
            "User email",
            "Company name",
            "Company domain",
            "Tags",
            "Created at",
        ],
        [
            [
                "n-1",
                "Call",
                "<p>Needs <b>SSO</b></p>",
                "a@big.com",
                "Big",
                "big.com",
                "sso;security",
                "2026-02-02",
            ]
        ],
    )
    record = import_productboard(path).records[0]
    assert (record.external_id, record.text, record.company, record.customer_external_id) == (
        "n-1",
        "Needs SSO",
        "Big",
        "big.com",
    )
    assert record.tags == ["sso", "security"]


def test_jira_export_merges_repeated_label_columns(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "jira.csv",
        [
            "Summary",
            "Issue key",
            "Issue Type",
            "Description",
            "Labels",
            "Labels",
            "Reporter",
            "Created",
            "Votes",
        ],
        [
            [
                "Export fails",
                "PRJ-7",
                "Bug",
                "Steps {code}x=1{code} then [link|http://a]",
                "export",
                "customer",
                "sam",
                "2026-01-09 10:00:00",
                "3",
            ]
        ],
    )
    record = import_jira(path).records[0]
    assert record.external_id == "PRJ-7" and record.tags == ["export", "customer"] and record.votes == 3
    assert "x=1" not in record.text and "link" in record.text


def test_zendesk_tickets_with_sideloaded_users(tmp_path: Path) -> None:
    document = {
        "tickets": [
            {
                "id": 11,
                "subject": "Slow",
                "description": "Reports are slow",
                "requester_id": 5,
                "organization_id": 8,
                "tags": ["perf"],
                "created_at": "2026-01-02T03:04:05Z",
                "satisfaction_rating": {"score": "bad"},
            }
        ],
        "users": [{"id": 5, "name": "Ana", "email": "ana@shop.com"}],
        "organizations": [{"id": 8, "name": "Shop Inc"}],
    }
    (tmp_path / "z.json").write_text(json.dumps(document), encoding="utf-8")
    record = import_zendesk(tmp_path / "z.json").records[0]
    assert (record.external_id, record.text, record.author_email, record.company) == (
        "11",
        "Reports are slow",
        "ana@shop.com",
        "Shop Inc",
    )
    assert record.extra["satisfaction"] == "bad"


def test_intercom_conversations_keep_only_customer_messages(tmp_path: Path) -> None:
    conversation = {
        "id": "c1",
        "created_at": 1767225600,
        "source": {
            "subject": "",
            "body": "<p>The app logs me out</p>",
            "author": {"type": "user", "name": "Bo", "email": "bo@x.org"},
        },
        "conversation_parts": {
            "conversation_parts": [
                {"part_type": "comment", "body": "<p>Sorry! Which device?</p>", "author": {"type": "admin"}},
                {"part_type": "comment", "body": "<p>iPhone 15</p>", "author": {"type": "user"}},
            ]
        },
        "tags": {"tags": [{"name": "auth"}]},
    }
    (tmp_path / "i.jsonl").write_text(json.dumps(conversation) + "\n", encoding="utf-8")
    record = import_intercom(tmp_path / "i.jsonl").records[0]
    assert (
        record.text == "The app logs me out\n\niPhone 15"
        and record.author_email == "bo@x.org"
        and record.tags == ["auth"]
    )


EML = (
    "From: Dana Smith <Dana@Client.com>\r\nTo: feedback@northstar.dev\r\nSubject: Re: Export\r\n"
    "Message-ID: <m1@client.com>\r\nDate: Mon, 02 Feb 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n\r\n"
    "<html><body><p>The export still times out.</p><p>Best regards,<br>Dana<br>Client Corp</p>"
    "<p>On Sun, 1 Feb 2026 at 09:00, Support &lt;s@n.dev&gt; wrote:</p><blockquote>&gt; Is it fixed?</blockquote>"
    "</body></html>\r\n"
)


def test_eml_html_body_is_reduced_and_quotes_and_signature_stripped(tmp_path: Path) -> None:
    (tmp_path / "m.eml").write_bytes(EML.encode())
    record = import_eml(tmp_path / "m.eml").records[0]
    assert record.text == "The export still times out."
    assert (record.external_id, record.author_email, record.title) == (
        "<m1@client.com>",
        "dana@client.com",
        "Re: Export",
    )


def test_mbox_reads_every_message(tmp_path: Path) -> None:
    plain = "From: a@b.com\nSubject: Hi\nMessage-ID: <m2@b.com>\n\nPlease add SSO\n\n-- \nA\n"
    (tmp_path / "box.mbox").write_text(
        f"From a@b.com Mon Feb  2 10:00:00 2026\n{EML.replace(chr(13), '')}\nFrom a@b.com Mon Feb  2 11:00:00 2026\n{plain}",
        encoding="utf-8",
    )
    result = import_mbox(tmp_path / "box.mbox")
    assert [r.text for r in result.records] == ["The export still times out.", "Please add SSO"]


def test_reply_stripping_of_plain_text_quotes() -> None:
    text = "Works now, thanks!\n\n> old line\n> older line\n"
    assert strip_reply(text) == "Works now, thanks!"
    assert strip_reply("New text\n-----Original Message-----\nFrom: x\nold") == "New text"
    assert strip_reply("Hello\nSent from my iPhone") == "Hello"


def test_importing_twice_gives_the_same_external_ids(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "as.csv",
        ["Date", "Rating", "Review", "Nickname"],
        [["2026-01-03", "4", "Nice", "jo"], ["2026-01-04", "2", "Meh", "al"]],
    )
    first = [r.external_id for r in import_app_store(path).records]
    assert first == [r.external_id for r in import_app_store(path).records] and len(set(first)) == 2


def test_unknown_format_and_broken_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="unknown format"):
        import_file("trello", tmp_path / "x")
    (tmp_path / "bad.jsonl").write_text('{"id": 1}\n{broken\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match="line 2"):
        import_intercom(tmp_path / "bad.jsonl")
    write_csv(tmp_path / "nojira.csv", ["Key"], [["A-1"]])
    with pytest.raises(ImportFormatError, match="no summary column"):
        import_jira(tmp_path / "nojira.csv")
