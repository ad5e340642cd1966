"""What an analyst would write instead: per-municipality turnover, hiring and shortage with pandas.

Reads the same establishment CSVs (CP932 or UTF-8 with BOM), NFKC-normalises the numeric columns,
strips 人/名 units, treats unparseable cells as missing, and sums per municipality (5-digit code).
No validation, no de-duplication, no intervals, no disclosure control.
"""
import sys, time, glob
import pandas as pd

t0 = time.perf_counter()
frames = []
for path in sorted(glob.glob(sys.argv[1] + "/establishments_*.csv")):
    for enc in ("utf-8-sig", "cp932"):
        try:
            df = pd.read_csv(path, encoding=enc, dtype=str, keep_default_na=False)
            break
        except UnicodeDecodeError:
            continue
    df.columns = [c.strip().replace(" ", "").replace("\u3000", "") for c in df.columns]
    df = df.rename(columns={"介護職員（正規）": "介護職員数_正規"})
    frames.append(df)
df = pd.concat(frames, ignore_index=True)

def num(col):
    s = df[col].str.normalize("NFKC").str.replace(r"[人名,]", "", regex=True)
    return pd.to_numeric(s, errors="coerce")

code = df["市区町村コード"].str.normalize("NFKC").str.slice(0, 5)
ago = num("1年前の介護職員数")
out = pd.DataFrame({
    "code": code,
    "ago": ago,
    "hires": num("採用者数_正規") + num("採用者数_非正規"),
    "seps": num("離職者数_正規") + num("離職者数_非正規"),
    "short": df["従業員の過不足感"].str.normalize("NFKC").str.slice(0, 1).map(
        {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0, "大": 1, "不": 1, "や": 1, "適": 0, "過": 0}),
})
valid = out.dropna(subset=["ago", "hires", "seps"])
g = valid.groupby("code").agg(ago=("ago", "sum"), hires=("hires", "sum"), seps=("seps", "sum"))
g["turnover_rate"] = g.seps / g.ago * 100
g["hiring_rate"] = g.hires / g.ago * 100
g["shortage_share"] = out.groupby("code")["short"].mean() * 100
elapsed = time.perf_counter() - t0
print('{"tool": "pandas", "municipalities": %d, "rows": %d, "seconds": %.3f}' % (len(g), len(df), elapsed))
