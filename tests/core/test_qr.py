import xml.etree.ElementTree as ET

from citehack.core.qr import qr_svg, qr_terminal

SVG = "{http://www.w3.org/2000/svg}"


def test_qr_svg_is_an_accessible_svg_image():
    title = 'Vote « public » & "QR" <ici>'

    svg = qr_svg("https://citehack.example/e/amiens/vote/", title=title)

    root = ET.fromstring(svg)
    assert svg.startswith("<svg")
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == title
    assert root.find(f"{SVG}path") is not None


def test_qr_svg_encodes_different_data_differently():
    assert qr_svg("https://a.example/", title="a") != qr_svg("https://b.example/", title="a")


def test_qr_terminal_draws_blocks():
    text = qr_terminal("http://192.168.1.10:8000/")

    lines = text.splitlines()
    assert len(lines) > 10
    assert len({len(line) for line in lines if line}) == 1
