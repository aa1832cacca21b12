"""`casegrid bulletin …`: produce a bulletin on demand (or again, after late data), and list them."""
from __future__ import annotations

from pathlib import Path

import click

from engine.app.cli_support import _actor, _db, _emit, reports_errors


@click.group(name="bulletin")
def bulletin_group() -> None:
    """Bulletins (通报) defined in rules/bulletins/*.yaml (docs/bulletins.md)."""


@bulletin_group.command(name="run")
@click.argument("name")
@click.option("--period", required=True, help="2026-11 (monthly), 2026-W45 (weekly), 2026-Q4 (quarterly).")
@click.option("--user", "username", default="system", help="Who produces it (a role that may publish bulletins).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write the PDF and XLSX into this folder.")
@click.option("--json", "as_json", is_flag=True)
def run(name: str, period: str, username: str, out_dir: Path | None, as_json: bool) -> None:
    """Produce the bulletin NAME of a period; an existing one is recomputed (revision + 1)."""
    from engine.commands.bulletins import run_bulletin

    @reports_errors
    def go() -> None:
        with _db().transaction() as session:
            produced = run_bulletin(session, _actor(session, username), name, period)
            bulletin = produced.bulletin
            files = {"pdf": bulletin.pdf, "xlsx": bulletin.xlsx}
            result = {"id": bulletin.id, "definition": bulletin.definition, "period": bulletin.period,
                      "revision": bulletin.revision, "complete": bulletin.complete, "created": produced.created,
                      "notified": produced.notified, "rows": len(bulletin.figures.get("rows", []))}
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            for fmt, content in files.items():
                (out_dir / f"{result['definition']}-{result['period']}.{fmt}").write_bytes(content)
        verb = "produced" if result["created"] else f"recomputed (revision {result['revision']})"
        _emit(as_json, result, f"bulletin {name} {result['period']} {verb}: {result['rows']} rows, "
                               f"{len(result['notified'])} recipient(s) notified")

    go()


@bulletin_group.command(name="list")
@click.option("--user", "username", default="system")
@click.option("--json", "as_json", is_flag=True)
def list_(username: str, as_json: bool) -> None:
    """The bulletins produced, newest period first."""
    from engine.bulletins.service import list_bulletins
    from engine.org.abilities import Ability
    from engine.org.access import require_ability

    @reports_errors
    def go() -> None:
        with _db().transaction(readonly=True) as session:
            require_ability(_actor(session, username), Ability.SEE_BULLETINS)
            rows, total = list_bulletins(session, limit=200)
            items = [{"id": b.id, "definition": b.definition, "period": b.period, "title": b.title_zh,
                      "revision": b.revision, "generated_at": b.generated_at.isoformat()} for b in rows]
        _emit(as_json, {"items": items, "total": total},
              "\n".join(f"{i['id']}  {i['period']}  {i['definition']}  {i['title']}  (revision {i['revision']})"
                        for i in items) or "no bulletins")

    go()
