"""The lighter polars job an analyst would write in an afternoon (issue #35's yardstick).

Reads the establishment, frame and worker CSVs in either encoding (UTF-8 with or without BOM, else
CP932: polars reads UTF-8 only, so CP932 is decoded in Python first), normalises headers and the
used cells with NFKC, validates the used fields (establishment number of the prefecture, counts
numbers ≥ 0 with a unit such as 12人 stripped, shortage a known answer, wage a number), keeps each
establishment's last answer, and computes per municipality the turnover and hiring rates, the
shortage share and the mean regular monthly wage. Unlike baseline_polars.py it checks no dates,
no check digits, no cross-field rule and no worker answer it does not use.

Usage: baseline_polars_light.py DATA_DIR
"""
import glob, json, sys, time

import polars as pl

from polars_input import nfkc, read

t0 = time.perf_counter()


def number(c):
    return nfkc(c).str.replace_all(",", "").str.replace(r"(人|名)$", "").cast(pl.Float64, strict=False)


est = pl.concat([read(p) for p in sorted(glob.glob(sys.argv[1] + "/establishments_*.csv"))], how="diagonal")
short = nfkc("従業員の過不足感").replace_strict(
    {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0, "大いに不足": 1, "不足": 1, "やや不足": 1, "適当": 0, "過剰": 0},
    default=None, return_dtype=pl.Int8)
e = (
    est.select(
        nfkc("事業所番号").alias("id"), nfkc("市区町村コード").str.slice(0, 5).alias("code"), short.alias("short"),
        number("1年前の介護職員数").alias("ago"), number("採用者数_正規").alias("hr"), number("採用者数_非正規").alias("hn"),
        number("離職者数_正規").alias("sr"), number("離職者数_非正規").alias("sn"),
    )
    .filter(pl.col("id").str.contains(r"^01[0-9A-Z]\d{7}$"))
    .unique(subset="id", keep="last", maintain_order=True)
)
counts = ["ago", "hr", "hn", "sr", "sn"]
parts = e.filter(pl.all_horizontal([pl.col(c).is_not_null() & (pl.col(c) >= 0) for c in counts]))
rates = parts.group_by("code").agg(
    ((pl.sum("sr") + pl.sum("sn")) / pl.sum("ago") * 100).alias("turnover_rate"),
    ((pl.sum("hr") + pl.sum("hn")) / pl.sum("ago") * 100).alias("hiring_rate"),
)
shortage = e.filter(pl.col("short").is_not_null()).group_by("code").agg(
    (pl.col("short").cast(pl.Float64).mean() * 100).alias("shortage_share"))
frame = read(sys.argv[1] + "/frame.csv").select(
    nfkc("事業所番号").alias("id"), nfkc("市区町村コード").str.slice(0, 5).alias("code")).unique(subset="id")
wk = pl.concat([read(p) for p in sorted(glob.glob(sys.argv[1] + "/workers_*.csv"))], how="diagonal")
wage = nfkc("月給").str.replace_all(r"[,円]", "").cast(pl.Float64, strict=False)
regular = nfkc("雇用形態").is_in(["1", "正規職員"])
w = (
    wk.select(nfkc("事業所番号").alias("id"), regular.alias("regular"), wage.alias("wage"))
    .filter(pl.col("regular") & pl.col("wage").is_between(50_000, 2_000_000))
    .join(frame, on="id", how="inner")
)
wages = w.group_by("code").agg(pl.col("wage").mean().alias("mean_monthly_wage_regular"))
result = rates.join(shortage, on="code", how="full", coalesce=True).join(wages, on="code", how="full", coalesce=True)
elapsed = time.perf_counter() - t0
print(json.dumps({"tool": "polars-light", "municipalities": result.height, "rows": est.height + wk.height,
                  "seconds": round(elapsed, 3)}, ensure_ascii=False))
