"""The codebook as a Rich tree for `codebook show`."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.tree import Tree

from grondmotief.cli.console import out
from grondmotief.study.folder import Study


def print_tree(study: Study, rows: list[dict[str, Any]]) -> None:
    cb = study.codebook
    root = Tree(f"[bold]{escape(cb.name)}[/bold] ({escape(study.rel(cb.path))})")
    by_id = {r["id"]: r for r in rows}
    nodes: dict[str, Tree] = {}
    for gid, group in cb.groups.items():
        gnode = root.add(f"[bold]{escape(group.label)}[/bold] [dim]--{escape(gid)}[/dim]")
        for cid in cb.order:
            c = cb.codes[cid]
            if c.group != gid:
                continue
            parent = nodes.get(c.parent) if c.parent else gnode
            r = by_id[cid]
            extra = []
            if r.get("sphere"):
                extra.append(f"sphere {r['sphere']}")
            extra.append(f"{r['keywords']} keywords")
            if "passages" in r:
                extra.append(f"{r['passages']} passages in {r['cases']} cases")
            nodes[cid] = (parent or gnode).add(
                f"[cyan]{escape(cid)}[/cyan]  {escape(c.label)}  [dim]({escape(', '.join(extra))})[/dim]"
            )
    out.print(root)
