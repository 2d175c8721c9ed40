"""A small HTML report of an eval run: one bar chart per metric family, per category."""

from __future__ import annotations

import html
import json
from pathlib import Path

FAMILIES = {
    "retrieval": ["hit@1", "hit@5", "mrr", "ndcg@10"],
    "answers and citations": ["answer_accuracy", "citation_validity", "citation_precision"],
    "abstention": ["abstention_accuracy", "false_abstention_rate"],
    "latency (ms)": ["latency_p50_ms", "latency_p95_ms"],
}


def write_report(result: dict, folder: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # no display here
    import matplotlib.pyplot as plt
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    groups = list(result["by_category"]) + [f"split: {s}" for s in result["by_split"]] + ["overall"]
    rows = {
        **result["by_category"],
        **{f"split: {s}": m for s, m in result["by_split"].items()},
        "overall": result["overall"],
    }
    images = []
    for family, metrics in FAMILIES.items():
        fig, ax = plt.subplots(figsize=(12, 4.2))
        x = np.arange(len(groups))
        width = 0.8 / len(metrics)
        for i, metric in enumerate(metrics):
            values = [rows[g][metric] if rows[g][metric] is not None else 0 for g in groups]
            ax.bar(x + i * width - 0.4 + width / 2, values, width, label=metric)
        ax.set_xticks(x, groups, rotation=30, ha="right")
        ax.set_title(family)
        if "latency" not in family:
            ax.set_ylim(0, 1.05)
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        name = family.split(" ")[0] + ".png"
        fig.savefig(folder / name, dpi=90)
        plt.close(fig)
        images.append((family, name))
    (folder / "eval.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    overall = result["overall"]
    body = "".join(f"<h2>{html.escape(f)}</h2><img src='{n}' alt='{html.escape(f)}'>" for f, n in images)
    summary = "".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in overall.items())
    page = (
        f"<!doctype html><meta charset='utf-8'><title>chidao eval</title>"
        f"<h1>chidao eval — threshold {result['threshold']}</h1><table>{summary}</table>{body}"
        f"<p>Raw figures: <a href='eval.json'>eval.json</a></p>"
    )
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
