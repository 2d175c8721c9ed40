import pytest

from store.reader import ReadError, read_text


def test_utf8_with_bom_and_crlf_and_nfd(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeffHoa\u0300 Bi\u0300nh\r\nLa\u0323ng So\u031bn\r\n".encode("utf-8"))
    assert read_text(p) == "Hoà Bình\nLạng Sơn\n"


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\n", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("legacy.txt", "Lạng Sơn".encode("cp1258", errors="ignore") + b"\xfe\xff\xd2", "not UTF-8"),
    ],
)
def test_bad_files_are_refused_with_a_named_one_line_reason(tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(ReadError) as e:
        read_text(p)
    assert str(e.value).startswith(f"{name}: ") and reason in str(e.value) and "\n" not in str(e.value)


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CHIDAO_MAX_FILE_MB", "0.001")
    p = tmp_path / "big.txt"
    p.write_text("chỉ đạo " * 500, encoding="utf-8")
    with pytest.raises(ReadError, match="over the"):
        read_text(p)
