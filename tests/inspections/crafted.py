"""Spreadsheets for the import tests, the honest and the hostile ones.

The hostile ones are small files that cost the reader dearly when it trusts them: a sheet
that declares the whole grid (A1:XFD1048576), a zip bomb, entity expansion in the shared
strings ("billion laughs"), a part whose zip entry lies about its size."""

import io
import struct
import zipfile

from openpyxl import Workbook

HEADER = ["Workplace", "Municipality", "County", "SNI", "orgnr", "planned_date", "Agencies"]
ROW = ["Restaurang Solen", 1280, 12, "56.100", "556036-0793", "2026-06-01", "polis:on_site"]


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows or (HEADER, ROW):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(data: bytes, replace: dict[str, bytes | None] | None = None, add=None) -> bytes:
    """The same zip with some parts replaced (or changed by a function) and some added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info)
            change = replace.get(info.filename)
            if callable(change):
                body = change(body)
            elif change is not None:
                body = change
            target.writestr(info.filename, body)
        for name, body in add.items():
            target.writestr(name, body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def huge_dimension() -> bytes:
    """A two-row sheet that declares the whole grid: 1,048,576 rows of 16,384 columns."""

    def declare(xml: bytes) -> bytes:
        start = xml.index(b"<dimension ref=")
        end = xml.index(b"/>", start)
        return xml[:start] + b'<dimension ref="A1:XFD1048576"' + xml[end:]

    return rewrite(workbook(), {SHEET: declare})


def far_cell(ref: bytes) -> bytes:
    """A correct sheet with one more cell far away (e.g. b"XFD2" or b"A1048576")."""
    row = int(b"".join(c for c in (bytes([x]) for x in ref) if c.isdigit()))

    def add(xml: bytes) -> bytes:
        cell = b'<row r="%d"><c r="%s" t="inlineStr"><is><t>x</t></is></c></row>' % (row, ref)
        if row <= 2:  # the same row as the data: put the cell inside it
            end = xml.index(b"</row>", xml.index(b'<row r="%d"' % row))
            return xml[:end] + b'<c r="%s" t="inlineStr"><is><t>x</t></is></c>' % ref + xml[end:]
        return xml.replace(b"</sheetData>", cell + b"</sheetData>")

    return rewrite(workbook(), {SHEET: add})


def zip_bomb(megabytes: int = 64) -> bytes:
    """A valid workbook whose sheet is padded with blanks: a few hundred kB on disk."""
    pad = b" " * (1024 * 1024)

    def padded(xml: bytes) -> bytes:
        cut = xml.index(b"<sheetData>")
        return xml[:cut] + pad * megabytes + xml[cut:]

    return rewrite(workbook(), {SHEET: padded})


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol9;</t></si></sst>"""


def billion_laughs() -> bytes:
    """Shared strings that expand to 3 GB of "lol", wired in as Excel writes them (content
    type, relationship) and referenced by the first data cell."""
    rel = (
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/>'
    )
    kind = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )

    def cell(xml: bytes) -> bytes:
        start = xml.index(b'<c r="A2"')
        end = xml.index(b"</c>", start) + 4
        return xml[:start] + b'<c r="A2" t="s"><v>0</v></c>' + xml[end:]

    return rewrite(
        workbook(),
        {
            SHEET: cell,
            "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
                b"</Relationships>", rel + b"</Relationships>"
            ),
            "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", kind + b"</Types>"),
        },
        add={"xl/sharedStrings.xml": LAUGHS},
    )


def lying_sizes(megabytes: int = 64) -> bytes:
    """A zip bomb whose directory declares its big part as 1 kB (local and central headers
    both): a reader that trusts the declaration must still never inflate more."""
    data = bytearray(zip_bomb(megabytes))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(SHEET)
        central = archive.start_dir
    struct.pack_into("<I", data, info.header_offset + 22, 1024)  # local: uncompressed size
    position = central
    while data[position : position + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, position + 28)
        name = bytes(data[position + 46 : position + 46 + name_len])
        if name == SHEET.encode():
            struct.pack_into("<I", data, position + 24, 1024)  # central: uncompressed size
        position += 46 + name_len + extra_len + comment_len
    return bytes(data)
