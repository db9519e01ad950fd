"""Files are read by their content (issue 13, point 6).

Compressed CSV (gzip, bz2, xz, zstd, one-file zip), Parquet and Feather/Arrow IPC are recognised by their
magic bytes whatever their name (`.csv`, `.gz`, `.parquet`, no extension) and read to the same frame;
Excel and files that are not tables are refused saying what they are; a NUL byte and an invalid encoding
are reported with their line; binary garbage is called binary, never "a ragged CSV" or "pass
encoding=latin-1". Plain CSV, TSV and Parquet still read as before, and `mlkit check` answers with exit 2.
"""

import bz2
import gzip
import io
import lzma
import zipfile

import numpy as np
import pandas as pd
import pytest

from mlkit.cli import main
from mlkit.data import DataFileError, read_table
from mlkit.data.read import sniff

DF = pd.DataFrame({"x": [1, 2, 3], "name": ["a", "b", "c"], "v": [0.5, 1.5, 2.5]})
CSV = DF.to_csv(index=False).encode()


def _zstd(data: bytes) -> bytes:
    pa = pytest.importorskip("pyarrow")
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(data)
    return sink.getvalue().to_pybytes()


def _zip(data: bytes, names=("table.csv",)) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.writestr(n, data)
    return buf.getvalue()


def _parquet() -> bytes:
    buf = io.BytesIO()
    DF.to_parquet(buf)
    return buf.getvalue()


def _feather() -> bytes:
    buf = io.BytesIO()
    DF.to_feather(buf)
    return buf.getvalue()


READABLE = {
    "gzip": lambda: gzip.compress(CSV),
    "bz2": lambda: bz2.compress(CSV),
    "xz": lambda: lzma.compress(CSV),
    "zstd": lambda: _zstd(CSV),
    "zip": lambda: _zip(CSV),
    "parquet": _parquet,
    "arrow": _feather,
    "gzip parquet": lambda: gzip.compress(_parquet()),
}


@pytest.mark.parametrize("name", ["data.csv", "data.csv.gz", "data.parquet", "data", "data.bin"])
@pytest.mark.parametrize("kind", READABLE)
def test_recognised_whatever_the_name(tmp_path, kind, name):
    p = tmp_path / name
    p.write_bytes(READABLE[kind]())
    assert sniff(p) == kind.split()[0]
    pd.testing.assert_frame_equal(read_table(p), DF, check_dtype=False)


def test_compressed_tsv_keeps_its_separator(tmp_path):
    p = tmp_path / "t.tsv.gz"
    p.write_bytes(gzip.compress(DF.to_csv(index=False, sep="\t").encode()))
    pd.testing.assert_frame_equal(read_table(p), DF)


def test_plain_files_read_as_before(tmp_path):
    for name, data in {"a.csv": CSV, "a.tsv": DF.to_csv(index=False, sep="\t").encode(), "a.parquet": _parquet()}.items():
        (tmp_path / name).write_bytes(data)
        pd.testing.assert_frame_equal(read_table(tmp_path / name), DF)
    (tmp_path / "u16.csv").write_text(DF.to_csv(index=False), encoding="utf-16")
    assert sniff(tmp_path / "u16.csv") == "utf-16"
    pd.testing.assert_frame_equal(read_table(tmp_path / "u16.csv"), DF)
    (tmp_path / "par.csv").write_text("PAR1,PAR2\n1,2\n")  # a header that starts like Parquet is still text
    assert sniff(tmp_path / "par.csv") == "text" and list(read_table(tmp_path / "par.csv").columns) == ["PAR1", "PAR2"]


REFUSED = {
    "xlsx": (lambda: _zip(b"<workbook/>", names=("[Content_Types].xml", "xl/workbook.xml")), "is an Excel workbook (.xlsx)"),
    "xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "is an Excel workbook (.xls) or another Office file"),
    "pdf": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 4, "is a PDF document, not a table mlkit reads"),
    "png": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(200), "is a PNG image, not a table mlkit reads"),
    "sqlite": (lambda: b"SQLite format 3\x00" + bytes(200), "is an SQLite database, not a table mlkit reads"),
    "binary": (lambda: np.random.default_rng(0).bytes(4096), "is binary data (not text), not a table mlkit reads"),
    "zip of two": (lambda: _zip(CSV, names=("a.csv", "b.csv")), "is a zip archive of 2 files (a.csv, b.csv)"),
    "truncated gzip": (lambda: gzip.compress(CSV * 50)[:60], "is a gzip-compressed file that cannot be decompressed"),
    "gzip of binary": (
        lambda: gzip.compress(np.random.default_rng(1).bytes(4096)),
        "is binary data (not text) inside a gzip-compressed file",
    ),
}


@pytest.mark.parametrize("kind", REFUSED)
def test_refused_saying_what_it_is(tmp_path, kind):
    make, words = REFUSED[kind]
    p = tmp_path / "data.csv"
    p.write_bytes(make())
    with pytest.raises(DataFileError) as caught:
        read_table(p)
    said = str(caught.value)
    assert said.startswith(f"{p}: ") and words in said, said
    assert "latin-1" not in said and "cannot parse as CSV" not in said  # never the wrong diagnosis


def test_nul_byte_is_reported_with_its_line(tmp_path):
    p = tmp_path / "nul.csv"
    p.write_bytes(b"a,b\n1,x\n2,y\x00z\n3,w\n")
    with pytest.raises(DataFileError, match=r"nul.csv, line 3: holds a NUL byte"):
        read_table(p)
    g = tmp_path / "nul.csv.gz"
    g.write_bytes(gzip.compress(b"a,b\n1,x\x00z\n"))
    with pytest.raises(DataFileError, match=r"NUL byte \(\\x00\) on line 2"):
        read_table(g)


def test_invalid_encoding_is_reported_with_its_line(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("city,n\nParis,1\nMünchen,2\n".encode("latin-1"))
    with pytest.raises(DataFileError, match=r"latin.csv, line 3: not valid utf-8 text \(byte 0xfc at position 2 of the line\)"):
        read_table(p)
    assert read_table(p, encoding="latin-1")["city"].tolist() == ["Paris", "München"]


def test_parquet_name_without_parquet_content(tmp_path):
    p = tmp_path / "t.parquet"
    p.write_bytes(CSV)
    with pytest.raises(DataFileError, match="not a readable Parquet file \\(no PAR1 marker: it is text\\)"):
        read_table(p)


def test_the_command_line_says_it_in_one_line(tmp_path, capsys):
    p = tmp_path / "garbage.csv"
    p.write_bytes(np.random.default_rng(2).bytes(2048))
    assert main(["check", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is binary data (not text)" in err[0]
    g = tmp_path / "data.csv"
    g.write_bytes(gzip.compress(CSV))
    assert main(["check", str(g), "-o", str(tmp_path / "r.json")]) in (0, 1)
