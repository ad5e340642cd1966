"""The same per-municipality turnover, hiring and shortage with DuckDB (2 threads).

DuckDB reads UTF-8 only: CP932 files are transcoded in Python first (counted in the time).
Full-width digits and units are stripped with regular expressions; unparseable cells are NULL.
"""
import sys, time, glob, os, tempfile
import duckdb

t0 = time.perf_counter()
tmp = tempfile.mkdtemp()
paths = []
for i, path in enumerate(sorted(glob.glob(sys.argv[1] + "/establishments_*.csv"))):
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp932")
    lines = text.split("\n", 1)
    header = lines[0].replace(" ", "").replace("\u3000", "").replace("介護職員（正規）", "介護職員数_正規")
    out = os.path.join(tmp, "e%d.csv" % i)
    open(out, "w", encoding="utf-8").write(header + "\n" + (lines[1] if len(lines) > 1 else ""))
    paths.append(out)
con = duckdb.connect()
con.execute("SET threads TO 2")
def num(c):
    return ("TRY_CAST(regexp_replace(translate(\"%s\", '０１２３４５６７８９', '0123456789'), '[人名,]', '', 'g') AS DOUBLE)" % c)
q = f"""
WITH e AS (
  SELECT substr(translate("市区町村コード", '０１２３４５６７８９', '0123456789'), 1, 5) AS code,
         {num('1年前の介護職員数')} AS ago,
         {num('採用者数_正規')} + {num('採用者数_非正規')} AS hires,
         {num('離職者数_正規')} + {num('離職者数_非正規')} AS seps,
         CASE WHEN substr("従業員の過不足感", 1, 1) IN ('1','2','3','大','不','や') THEN 1.0
              WHEN substr("従業員の過不足感", 1, 1) IN ('4','5','適','過') THEN 0.0 END AS short
  FROM read_csv({paths!r}, all_varchar = true, header = true, union_by_name = true)
)
SELECT code,
       sum(seps) FILTER (WHERE ago IS NOT NULL AND hires IS NOT NULL AND seps IS NOT NULL) * 100.0
         / sum(ago) FILTER (WHERE ago IS NOT NULL AND hires IS NOT NULL AND seps IS NOT NULL) AS turnover_rate,
       sum(hires) FILTER (WHERE ago IS NOT NULL AND hires IS NOT NULL AND seps IS NOT NULL) * 100.0
         / sum(ago) FILTER (WHERE ago IS NOT NULL AND hires IS NOT NULL AND seps IS NOT NULL) AS hiring_rate,
       avg(short) * 100 AS shortage_share
FROM e GROUP BY code
"""
rows = con.execute(q).fetchall()
elapsed = time.perf_counter() - t0
print('{"tool": "duckdb", "municipalities": %d, "seconds": %.3f}' % (len(rows), elapsed))
