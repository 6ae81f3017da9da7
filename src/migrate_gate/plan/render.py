"""The plan as text (for logs) and Markdown (for pull-request comments and step summaries).

Both read the report's dictionary, after masking. Markdown fits a size limit (GitHub's
comments hold 65,536 characters): first each statement's SQL is cut, then migrations are
left out, and the plan says so and where the whole of it is.
"""

from __future__ import annotations

from typing import Any

from ..report import Report

_TEXT_SQL = 300  # characters of each statement in the text log
_CUT_SQL = 400  # per statement, when the Markdown is over its limit
_ICONS = {"error": "🛑", "warning": "⚠️", "info": "ℹ️"}  # noqa: RUF001


def size(data: dict[str, int] | None) -> str:
    """ " (4.1 GB, ~38 M rows)", or "" when the table's size is unknown."""
    if not data:
        return ""
    amount, unit = float(data["bytes"]), "B"
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if amount < 1024 or unit == "TB":
            break
        amount /= 1024
    shown = f"{amount:.0f} {unit}" if unit == "B" or amount >= 10 else f"{amount:.1f} {unit}"
    return f" ({shown}, {_rows(data['rows'])})"


def _rows(rows: int) -> str:
    if rows < 0:
        return "never analysed"
    for limit, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if rows >= limit:
            return f"~{rows / limit:.1f}{suffix} rows".replace(".0 ", " ")
    return f"~{rows} rows"


def locks(statement: dict[str, Any], code: bool = False) -> str:
    """ "ACCESS EXCLUSIVE on accounts (4.1 GB, ~38 M rows)"; "no lock on an existing table"."""
    quote = "`" if code else ""
    parts = [
        f"{lock['mode']} on {quote}{lock['table']}{quote}{size(lock['size'])}"
        for lock in statement["locks"]
    ]
    found = "; ".join(parts) or "no lock on an existing table"
    if statement["rewrite"]:
        found += ", rewrites the table"
    elif statement["scan"]:
        found += ", reads the whole table"
    return found


def _one_line(sql: str, limit: int) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _heading(report: Report, plan: dict[str, Any] | None) -> str:
    where = report.ecosystem or "unknown tool"
    if plan is None:
        return f"migrate-gate plan: {report.status} ({where}): {report.error}"
    count = len(plan["migrations"])
    chosen = "pending on the database" if plan["selected_by"] == "database" else "added"
    return f"migrate-gate plan: {count} migration(s) {chosen} ({where}): {plan['summary']}"


def text(report: Report) -> str:
    """The plan for a log: one line per migration and statement, findings under them."""
    plan = report.extra.get("plan")
    lines = [_heading(report, plan)]
    for migration in plan["migrations"] if plan else ():
        decided = migration["decided_by"]
        why = f" ({decided['why']})" if decided else ""
        lines.append(
            f"  {migration['id']}  {migration['file']}: {migration['classification']}{why}"
        )
        for statement in migration["statements"]:
            lines.append(f"      {_one_line(statement['sql'], _TEXT_SQL)}")
            lines.append(f"        lock: {locks(statement)}")
            lines.extend(f"        {_finding(f)}" for f in statement["findings"])
        lines.extend(f"      {_finding(f)}" for f in migration["findings"])
    if plan and plan["unread"]:
        lines.append(f"  not read (no SQL file): {', '.join(plan['unread'])}")
    if plan and report.error:
        lines.append(f"  error: {report.error}")
    return "\n".join(lines) + "\n"


def _finding(finding: dict[str, Any]) -> str:
    return f"{finding['severity']} {finding['rule']} {finding['name']}: {finding['message']}"


def markdown(report: Report, limit: int | None = None, artifact: str = "") -> str:
    """The plan in Markdown, at most `limit` characters; `artifact` says where the whole is."""
    plan = report.extra.get("plan")
    head = [f"### {_heading(report, plan)}", ""]
    if not plan or not plan["migrations"]:
        return "\n".join(head)
    head += [_table(plan), ""]
    sections = [_section(m, None) for m in plan["migrations"]]
    whole = "\n".join(head + sections) + _unread(plan)
    if limit is None or len(whole) <= limit:
        return whole
    sections = [_section(m, _CUT_SQL) for m in plan["migrations"]]
    where = f" The whole plan: {artifact}." if artifact else ""
    kept: list[str] = []
    budget = limit - len("\n".join(head)) - len(_unread(plan)) - 300 - len(where)
    for section in sections:
        if len(section) + 1 > budget:
            break
        kept.append(section)
        budget -= len(section) + 1
    note = (
        f"\n_Cut to fit one comment: {len(kept)} of {len(sections)} migration(s) shown in full"
        f", long SQL shortened.{where}_\n"
    )
    return "\n".join(head + kept) + _unread(plan) + note


def _table(plan: dict[str, Any]) -> str:
    rows = ["| migration | kind | decided by | strongest lock |", "|---|---|---|---|"]
    for migration in plan["migrations"]:
        decided = migration["decided_by"]
        why = _cell(decided["why"]) if decided else ""
        modes = [lock["mode"] for s in migration["statements"] for lock in s["locks"]]
        rows.append(
            f"| `{migration['id']}` | {migration['classification']} | {why} | "
            f"{_strongest(modes) or 'none'} |"
        )
    return "\n".join(rows)


def _strongest(modes: list[str]) -> str:
    from ..lint.effects import STRENGTH

    return max(modes, key=lambda m: STRENGTH.index(m) if m in STRENGTH else 0, default="")


def _section(migration: dict[str, Any], cut: int | None) -> str:
    decided = migration["decided_by"]
    why = f": {_cell(decided['why'])}" if decided else ""
    lines = [
        f"<details><summary><code>{migration['id']}</code> {migration['classification']}{why}"
        f" — <code>{migration['file']}</code></summary>",
        "",
    ]
    for statement in migration["statements"]:
        sql = statement["sql"]
        if cut is not None and len(sql) > cut:
            sql = sql[: cut - 1] + "…"
        lines += ["```sql", sql.replace("```", "` ` `"), "```", f"- lock: {locks(statement, True)}"]
        lines += [
            f"- {_ICONS.get(f['severity'], '')} {_cell(_finding(f))}" for f in statement["findings"]
        ]
        lines.append("")
    lines += [
        f"- {_ICONS.get(f['severity'], '')} {_cell(_finding(f))}" for f in migration["findings"]
    ]
    lines += ["</details>", ""]
    return "\n".join(lines)


def _bullet(finding: dict[str, Any]) -> str:
    return f"- {_ICONS.get(finding['severity'], '')} {_cell(_finding(finding))}"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _unread(plan: dict[str, Any]) -> str:
    unread = plan["unread"]
    return f"\nNot read (no SQL file): {', '.join(unread)}\n" if unread else ""
