"""Turns the benchmark's measurements into a table (stdout) and benchmarks/results.json."""
import glob, json, os, re, subprocess, sys

work, data = sys.argv[1], sys.argv[2]
layout = sys.argv[3] if len(sys.argv) > 3 else "one"
other = "split" if layout == "one" else "one"

def timing(name):
    text = open(os.path.join(work, f"time-{name}.txt")).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    return seconds, rss

def json_out(name):
    for line in open(os.path.join(work, f"out-{name}.txt")):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    return {}

survey_bytes = sum(os.path.getsize(p) for p in glob.glob(data + "/establishments_*.csv") + glob.glob(data + "/workers_*.csv"))
all_bytes = sum(os.path.getsize(p) for p in glob.glob(data + "/*.csv"))
run = json.load(open(os.path.join(work, "out/latest/run.json")))
stages = {s["name"]: s for s in run["stages"]}
c = json_out("c_libcsv")
pipeline_s, pipeline_rss = timing("pipeline")
pandas_s = json_out("pandas").get("seconds", float("nan"))
duckdb_s = json_out("duckdb").get("seconds", float("nan"))
pandas_wall, pandas_rss = timing("pandas")
duckdb_wall, duckdb_rss = timing("duckdb")
c_wall, c_rss = timing("c_libcsv")
polars = json_out("polars")
polars_s = polars.get("seconds", float("nan"))
polars_wall, polars_rss = timing("polars")
other_s, other_rss = timing("pipeline_other")
light = json_out("polars_light")
light_s = light.get("seconds", float("nan"))
light_wall, light_rss = timing("polars_light")

# The pipeline run (all stages, forced) records each stage's in-process duration.
full = json.load(open(os.path.join(work, "pipeline-run.json")))
in_process = {s["name"]: s["duration_seconds"] for s in full["stages"]}
ingest_clean = in_process.get("ingest", 0) + in_process.get("clean", 0)
ic_mbs = survey_bytes / 1e6 / ingest_clean if ingest_clean else 0
municipalities = stages["packets"]["counts"].get("packets", 0)
rows = {"ingest": stages["ingest"]["counts"].get("rows"), "clean": stages["clean"]["counts"].get("accepted"),
        "aggregate": stages["aggregate"]["counts"].get("cells"), "peers": stages["peers"]["counts"].get("municipalities"),
        "feedback": stages["feedback"]["counts"].get("rows"), "packets": municipalities}
national_s, national_rss = timing("peers_national")
national = json_out("peers_national")

c_reader = json_out("c_reader")
swift_reader = json_out("swift_reader")
results = {
    "reader_200mb": {"c_mb_per_s": c_reader.get("mb_per_s"), "swift_mb_per_s": swift_reader.get("mb_per_s"),
                     "ratio": round(swift_reader["mb_per_s"] / c_reader["mb_per_s"], 3) if c_reader.get("mb_per_s") and swift_reader.get("mb_per_s") else None},
    "data": {"survey_bytes": survey_bytes, "all_input_bytes": all_bytes, "municipalities": municipalities,
             "establishment_rows": stages["clean"]["counts"].get("accepted"), "rows_ingested": rows["ingest"]},
    "c_libcsv": {"seconds": c.get("seconds"), "mb_per_s": c.get("mb_per_s"), "peak_rss_mb": round(c_rss, 1)},
    "layout": layout,
    "pipeline_other_layout": {"layout": other, "wall_seconds": other_s, "peak_rss_mb": round(other_rss, 1)},
    "pipeline": {"wall_seconds": pipeline_s, "peak_rss_mb": round(pipeline_rss, 1), "stage_seconds_in_process": in_process},
    "stages": {}, "ingest_clean_mb_per_s": round(ic_mbs, 1),
    "ingest_clean_vs_c": round(ic_mbs / c["mb_per_s"], 3) if c.get("mb_per_s") else None,
    "pandas": {"seconds": pandas_s, "wall_seconds": pandas_wall, "peak_rss_mb": round(pandas_rss, 1)},
    "polars": {"seconds": polars_s, "wall_seconds": polars_wall, "peak_rss_mb": round(polars_rss, 1),
               "agreement_with_banso": polars.get("agreement")},
    "polars_light": {"seconds": light_s, "wall_seconds": light_wall, "peak_rss_mb": round(light_rss, 1)},
    "pipeline_vs_polars_light": round(light_wall / pipeline_s, 2) if pipeline_s else None,
    "pipeline_vs_polars": round(polars_wall / pipeline_s, 2) if pipeline_s else None,
    "duckdb": {"seconds": duckdb_s, "wall_seconds": duckdb_wall, "peak_rss_mb": round(duckdb_rss, 1)},
    "pipeline_speedup_vs_pandas": round(pandas_wall / pipeline_s, 2) if pipeline_s else None,
    "packets_ms_per_municipality": round(in_process.get("packets", 0) * 1000 / max(1, municipalities), 2),
    "peers_national": {"wall_seconds": national_s, "compute_seconds": national.get("seconds"), "municipalities": national.get("municipalities")},
}
for s in ["ingest", "clean", "aggregate", "peers", "feedback", "packets"]:
    wall, rss = timing(s)
    results["stages"][s] = {"wall_seconds": wall, "in_process_seconds": in_process.get(s), "peak_rss_mb": round(rss, 1),
                            "rows": rows[s], "rows_per_s": round(rows[s] / in_process[s]) if rows[s] and in_process.get(s) else None}
ica = sum(in_process.get(s, 0) for s in ["ingest", "clean", "aggregate"])
results["ingest_clean_aggregate_seconds"] = round(ica, 3)
results["polars_over_banso"] = round(polars_s / ica, 2) if ica else None
try:
    results["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
except Exception:
    pass
json.dump(results, open("benchmarks/results.json", "w"), indent=2, sort_keys=True, ensure_ascii=False)

def ok(cond):
    return "met" if cond else "MISSED"

print(f"\ndata ({'each survey in one file' if layout == 'one' else '4 establishment and 8 worker files'}): {results['data']['rows_ingested']:,} rows ingested, {survey_bytes/1e6:.1f} MB of survey CSV, {municipalities} municipalities\n")
print(f"{'measurement':<34}{'wall s':>9}{'in-proc s':>11}{'peak RSS MB':>13}{'throughput':>22}")
print(f"{'C libcsv, empty callbacks':<34}{c_wall:>9.2f}{c['seconds']:>11.2f}{c_rss:>13.1f}{c['mb_per_s']:>17.1f} MB/s")
for s in ["ingest", "clean", "aggregate", "peers", "feedback", "packets"]:
    r = results["stages"][s]
    tp = f"{r['rows_per_s']:,} rows/s" if r["rows_per_s"] else ""
    print(f"{'stage ' + s:<34}{r['wall_seconds']:>9.2f}{(r['in_process_seconds'] or 0):>11.2f}{r['peak_rss_mb']:>13.1f}{tp:>22}")
print(f"{'whole pipeline (--force), ' + layout:<34}{pipeline_s:>9.2f}{'':>11}{pipeline_rss:>13.1f}")
print(f"{'whole pipeline (--force), ' + other:<34}{other_s:>9.2f}{'':>11}{other_rss:>13.1f}")
print(f"{'pandas (aggregation only)':<34}{pandas_wall:>9.2f}{pandas_s:>11.2f}{pandas_rss:>13.1f}")
print(f"{'polars (the same job)':<34}{polars_wall:>9.2f}{polars_s:>11.2f}{polars_rss:>13.1f}")
print(f"{'polars, the lighter job':<34}{light_wall:>9.2f}{light_s:>11.2f}{light_rss:>13.1f}")
print(f"{'DuckDB (aggregation only)':<34}{duckdb_wall:>9.2f}{duckdb_s:>11.2f}{duckdb_rss:>13.1f}")
print(f"{'peers, 1,747 municipalities':<34}{national_s:>9.2f}{(national.get('seconds') or 0):>11.3f}{national_rss:>13.1f}")
print(f"{'reader alone, 200 MB UTF-8 file':<34}{'':>9}{swift_reader.get('seconds', 0):>11.2f}{'':>13}{swift_reader.get('mb_per_s', 0):>17.1f} MB/s")
print(f"{'C libcsv, same 200 MB file':<34}{'':>9}{c_reader.get('seconds', 0):>11.2f}{'':>13}{c_reader.get('mb_per_s', 0):>17.1f} MB/s")
print(f"\ningest + clean + aggregate in process {ica:.2f} s; polars the same job {polars_s:.2f} s: Bansō is {results['polars_over_banso']}× as fast")
for ind, a in (polars.get("agreement") or {}).items():
    print(f"  polars vs Bansō {ind}: {a['within']}/{a['compared']} municipalities within {a['tolerance']} (max difference {a['max_abs_diff']})")
print("\ntargets:")
print(f"  reader alone at {results['reader_200mb']['ratio']:.0%} of C libcsv on a 200 MB file (aim ≥ 60%): {ok((results['reader_200mb']['ratio'] or 0) >= 0.6)}")
print(f"  ingest+clean {ic_mbs:.1f} MB/s = {results['ingest_clean_vs_c']:.0%} of C libcsv (target ≥ 60%): {ok(results['ingest_clean_vs_c'] >= 0.6)}")
print(f"  whole pipeline {pipeline_s:.2f} s (target ≤ 3.5 s): {ok(pipeline_s <= 3.5)}; {results['pipeline_speedup_vs_pandas']}× pandas")
print(f"  whole pipeline {results['pipeline_vs_polars_light']}× as fast as the lighter polars job (target ≥ 1.5×): {ok((results['pipeline_vs_polars_light'] or 0) >= 1.5)}")
print(f"  whole pipeline {results['pipeline_vs_polars']}× as fast as the faithful polars job (target ≥ 2.5×): {ok((results['pipeline_vs_polars'] or 0) >= 2.5)}")
print(f"  peak RSS {pipeline_rss:.0f} MB (target ≤ 250 MB): {ok(pipeline_rss <= 250)}")
print(f"  ingest + clean + aggregate {results['polars_over_banso']}× as fast as polars (target ≥ 1.5×): {ok((results['polars_over_banso'] or 0) >= 1.5)}")
print(f"  packets {results['packets_ms_per_municipality']} ms per municipality (target ≤ 10 ms): {ok(results['packets_ms_per_municipality'] <= 10)}")
print(f"  peers for 1,747 municipalities {(national.get('seconds') or 0):.3f} s (target ≤ 1 s): {ok((national.get('seconds') or 99) <= 1)}")
print("\nwrote benchmarks/results.json")
