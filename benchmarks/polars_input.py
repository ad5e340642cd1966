"""How both polars jobs read a survey file: either encoding, headers normalised (NFKC)."""
import io, unicodedata

import polars as pl


def read(path):
    """A CSV in UTF-8 (with or without BOM) or CP932, every column as text, headers in NFKC without
    spaces; polars reads UTF-8 only, so CP932 is decoded in Python first."""
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp932")
    df = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema_length=0)
    names = [unicodedata.normalize("NFKC", c).replace(" ", "") for c in df.columns]
    names = ["介護職員数_正規" if n == "介護職員(正規)" else n for n in names]
    return df.rename(dict(zip(df.columns, names)))


def nfkc(c):
    """A column's text in NFKC, trimmed, missing as empty."""
    return pl.col(c).fill_null("").str.normalize("NFKC").str.strip_chars()
