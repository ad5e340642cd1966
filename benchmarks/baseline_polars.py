"""The same job as Bansō's ingest + clean + aggregate, written the way an analyst would with polars.

Reads the establishment and worker CSVs (CP932 or UTF-8 with BOM, decoded in Python first: polars
reads UTF-8 only), normalises headers and values with NFKC, parses numbers with units (12人, 5名,
1,234, 25万円), drops invalid rows (establishment number, municipality code, answer date in the
survey's forms, counts that are not numbers or negative, coded answers outside their lists),
de-duplicates establishments by the latest answer date, and computes per municipality the
turnover and hiring rates, the shortage share and the mean regular monthly wage. No intervals, no
disclosure control, no rejects file.

Usage: baseline_polars.py DATA_DIR [BANSO_INTERNAL_INDICATORS_CSV]
With the second argument it compares its figures with Bansō's after the timing.
"""
import glob, io, json, sys, time

import polars as pl

t0 = time.perf_counter()


def read(path):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp932")
    df = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema_length=0)
    import unicodedata

    names = [unicodedata.normalize("NFKC", c).replace(" ", "") for c in df.columns]
    names = ["介護職員数_正規" if n == "介護職員(正規)" else n for n in names]
    return df.rename(dict(zip(df.columns, names)))


MISSING = ["", "-", "―", "ー", "−", "不明", "無回答", "NA", "N/A", "#N/A", "*"]


def nfkc(c):
    return pl.col(c).fill_null("").str.normalize("NFKC").str.strip_chars()


def count(c):
    """A count: (value or null, invalid flag)."""
    t = nfkc(c).str.replace_all(r"[人名,]", "")
    v = t.cast(pl.Float64, strict=False)
    missing = nfkc(c).is_in(MISSING)
    invalid = (~missing & v.is_null()) | (v < 0)
    return v, invalid


def date(c):
    t = nfkc(c)
    parts = [
        (r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})", 0),
        (r"^(\d{4})年(\d{1,2})月(\d{1,2})日", 0),
        (r"^令和(\d{1,2})年(\d{1,2})月(\d{1,2})日", 2018),
        (r"^R(\d{1,2})[./](\d{1,2})[./](\d{1,2})", 2018),
        (r"^(\d{4})(\d{2})(\d{2})$", 0),
    ]
    # Invalid days (2025-13-45) become null rather than an error: built as text, parsed leniently.
    candidates = [
        pl.format(
            "{}-{}-{}",
            (t.str.extract(p, 1).cast(pl.Int32, strict=False) + off).cast(pl.String),
            t.str.extract(p, 2).str.zfill(2),
            t.str.extract(p, 3).str.zfill(2),
        ).str.to_date("%Y-%m-%d", strict=False)
        for p, off in parts
    ]
    serial = t.str.extract(r"^(\d{5})$", 1).cast(pl.Int32, strict=False)
    candidates.append(pl.lit("1899-12-30").str.to_date() + pl.duration(days=serial))
    return pl.coalesce(candidates)


est = pl.concat([read(p) for p in sorted(glob.glob(sys.argv[1] + "/establishments_*.csv"))], how="diagonal")
fields = {
    "ago": "1年前の介護職員数", "hr": "採用者数_正規", "hn": "採用者数_非正規",
    "sr": "離職者数_正規", "sn": "離職者数_非正規",
}
cols = {}
bad = pl.lit(False)
for k, c in fields.items():
    v, inv = count(c)
    cols[k] = v
    bad = bad | inv
shortage_labels = {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0, "大いに不足": 1, "不足": 1, "やや不足": 1, "適当": 0, "過剰": 0}
short_text = nfkc("従業員の過不足感")
short = short_text.replace_strict(shortage_labels, default=None, return_dtype=pl.Int8)
bad = bad | (~short_text.is_in(MISSING) & short.is_null())
eid = nfkc("事業所番号")
code = nfkc("市区町村コード")
answered = date("回答日")
bad = bad | ~eid.str.contains(r"^\d{2}[0-9A-Z]\d{7}$") | ~code.str.contains(r"^\d{5,6}$") | answered.is_null()
e = (
    est.select(
        eid.alias("id"), code.str.slice(0, 5).alias("code"), answered.alias("date"), short.alias("short"),
        *[v.alias(k) for k, v in cols.items()], bad.alias("bad"),
    )
    .filter(~pl.col("bad"))
    .with_row_index("order")
    .sort(["date", "order"])
    .unique(subset="id", keep="last", maintain_order=True)
)
parts = e.filter(pl.col("ago").is_not_null() & pl.col("sr").is_not_null() & pl.col("sn").is_not_null()
                 & pl.col("hr").is_not_null() & pl.col("hn").is_not_null())
rates = parts.group_by("code").agg(
    (pl.sum("sr") + pl.sum("sn")) / pl.sum("ago") * 100,
    (pl.sum("hr") + pl.sum("hn")) / pl.sum("ago") * 100,
).rename({"sr": "turnover_rate", "hr": "hiring_rate"})
shortage = e.filter(pl.col("short").is_not_null()).group_by("code").agg(
    (pl.col("short").cast(pl.Float64).mean() * 100).alias("shortage_share"))

wk = pl.concat([read(p) for p in sorted(glob.glob(sys.argv[1] + "/workers_*.csv"))], how="diagonal")
wage_text = nfkc("月給").str.replace_all(r"[,円]", "")
man = wage_text.str.extract(r"^([\d.]+)万$", 1).cast(pl.Float64, strict=False) * 10000
wage = pl.coalesce([man, wage_text.cast(pl.Float64, strict=False)])
employment = nfkc("雇用形態").replace_strict({"1": 1, "2": 2, "正規職員": 1, "非正規職員": 2}, default=None,
                                           return_dtype=pl.Int8)
w = wk.select(nfkc("事業所番号").alias("id"), employment.alias("employment"), wage.alias("wage")).filter(
    pl.col("employment").is_not_null())
w = w.join(e.select("id", "code"), on="id", how="inner")
wages = w.filter((pl.col("employment") == 1) & pl.col("wage").is_not_null()).group_by("code").agg(
    pl.col("wage").mean().alias("mean_monthly_wage_regular"))
result = rates.join(shortage, on="code", how="full", coalesce=True).join(wages, on="code", how="full", coalesce=True)
elapsed = time.perf_counter() - t0

out = {"tool": "polars", "municipalities": result.height, "rows": est.height + wk.height, "seconds": round(elapsed, 3)}
if len(sys.argv) > 2:
    # How close its figures come to Bansō's, which validates more (cross-field rules, wage ranges).
    banso = pl.read_csv(sys.argv[2], infer_schema_length=0).filter(
        pl.col("indicator").is_in(["turnover_rate", "hiring_rate", "shortage_share", "mean_monthly_wage_regular"]))
    banso = banso.with_columns(pl.col("municipality_code").str.slice(0, 5).alias("code"),
                               pl.col("value").cast(pl.Float64, strict=False))
    agreement = {}
    for ind, tol in [("turnover_rate", 0.5), ("hiring_rate", 0.5), ("shortage_share", 0.5),
                     ("mean_monthly_wage_regular", 1000)]:
        b = banso.filter(pl.col("indicator") == ind).select("code", pl.col("value").alias("banso"))
        j = b.join(result.select("code", pl.col(ind).alias("polars")), on="code").drop_nulls()
        diff = (j["banso"] - j["polars"]).abs()
        agreement[ind] = {"compared": j.height, "within": int((diff <= tol).sum()), "tolerance": tol,
                          "max_abs_diff": round(float(diff.max() or 0), 3)}
    out["agreement"] = agreement
print(json.dumps(out, ensure_ascii=False))
