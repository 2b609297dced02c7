"""Input formats: .docx, .epub and .fdx built here with zipfile, legacy encodings, and routing in breakdown_source."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from mangaline.breakdown import breakdown_source
from mangaline.breakdown.readers import open_prose, read_fdx, source_kind
from mangaline.errors import InputEncodingError, ScriptError
from mangaline.model import Script

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(path: Path, paragraphs: list[tuple[str | None, str]]) -> Path:
    body = "".join(
        "<w:p>" + (f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else "")
        + "".join(f'<w:r><w:t xml:space="preserve">{part}</w:t></w:r>' for part in text.split("|")) + "</w:p>"
        for style, text in paragraphs
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>')
    return path


def test_docx_paragraphs_and_headings_become_chapters_and_lines(tmp_path):
    path = _docx(tmp_path / "ferry.docx", [
        ("Heading1", "The Crossing"),
        (None, "In the kitchen, Ellen poured the tea."),
        (None, '"Is the boat |ready?" Ellen asked.'),
        (None, '"Nearly," said Tom. "Give me an hour."'),
        ("Heading1", "The Island"),
        (None, "At the harbour, the fog lifted."),
        (None, '"There it is," Tom said.'),
    ])
    result = breakdown_source(path)
    script = result.script
    assert result.project.language == "en"
    assert [line.text for line in script.lines()] == ["Is the boat ready?", "Nearly, Give me an hour.", "There it is"]
    assert [line.character for line in script.lines()] == ["ellen", "tom", "tom"]
    assert {scene.location for scene in script.scenes()} == {"kitchen", "harbour"}
    assert [scene.synopsis for scene in script.scenes()] == ["The Crossing", "The Island"]
    assert script.source == "story/ferry.docx" and script.source_sha256


def _epub(path: Path, chapters: list[str]) -> Path:
    items = "".join(f'<item id="c{i}" href="text/c{i}.xhtml" media-type="application/xhtml+xml"/>' for i in range(len(chapters)))
    # the spine reads them in reverse order, and the nav page is not part of the reading order
    spine = "".join(f'<itemref idref="c{i}"/>' for i in reversed(range(len(chapters))))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", '<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
        archive.writestr("OEBPS/content.opf", f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><manifest>{items}<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="nav" linear="no"/>{spine}</spine></package>')
        archive.writestr("OEBPS/nav.xhtml", "<html><body><p>目录 should not be read</p></body></html>")
        for i, body in enumerate(chapters):
            archive.writestr(f"OEBPS/text/c{i}.xhtml", f'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title><style>p {{}}</style></head><body>{body}</body></html>')
    return path


def test_epub_reads_the_spine_in_order_without_markup(tmp_path):
    path = _epub(tmp_path / "tea.epub", [
        "<h1>第二章 码头</h1><p>来到码头，风很大。</p><p>“船回来了吗？”林夏问。</p><p>“还没有。”陈先生说。</p>",
        "<h1>第一章 茶馆</h1><p>回到茶馆，王掌柜正在擦桌子。</p><p>“林姑娘，早啊！”王掌柜笑道。</p><p>林夏点点头：“早。”</p>",
    ])
    script = breakdown_source(path).script
    assert script.language == "zh"
    assert script.episodes[0].title.startswith("第一章")
    texts = [line.text for line in script.lines()]
    assert texts == ["林姑娘，早啊！", "早。", "船回来了吗？", "还没有。"]
    assert [line.speaker for line in script.lines()] == ["王掌柜", "林夏", "林夏", "陈先生"]
    assert all("目录" not in shot.action for shot in script.shots())


FDX = """<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="5">
  <Content>
    <Paragraph Type="Scene Heading"><Text>INT. FERRY OFFICE - NIGHT</Text></Paragraph>
    <Paragraph Type="Action"><Text>Rain on the window. </Text><Text Style="Bold">Maya</Text><Text> counts coins.</Text></Paragraph>
    <Paragraph Type="Character"><Text>MAYA (V.O.)</Text></Paragraph>
    <Paragraph Type="Parenthetical"><Text>(quietly)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Last boat's gone.</Text></Paragraph>
    <DualDialogue>
      <Paragraph Type="Character"><Text>TOM</Text></Paragraph>
      <Paragraph Type="Dialogue"><Text>Then we swim.</Text></Paragraph>
      <Paragraph Type="Character"><Text>Maya</Text></Paragraph>
      <Paragraph Type="Dialogue"><Text>Then we wait.</Text></Paragraph>
    </DualDialogue>
    <Paragraph Type="Transition"><Text>CUT TO:</Text></Paragraph>
    <Paragraph Type="Scene Heading"><Text>EXT. PIER - CONTINUOUS</Text></Paragraph>
    <Paragraph Type="Action"><Text>Fog.</Text></Paragraph>
  </Content>
  <TitlePage><Content><Paragraph><Text>Last Ferry</Text></Paragraph></Content></TitlePage>
</FinalDraft>
"""


def test_fdx_maps_onto_the_screenplay_path(tmp_path):
    path = tmp_path / "ferry.fdx"
    path.write_text(FDX, encoding="utf-8")
    assert source_kind(path) == "fdx"
    document, sha = read_fdx(path)
    assert document.title_page["Title"] == "Last Ferry" and len(sha) == 64
    script = breakdown_source(path).script
    assert script.title == "Last Ferry"
    first, second = script.scenes()
    assert first.location == "ferry_office" and first.time_of_day == "NIGHT" and first.transition_out == "CUT TO:"
    assert not second.interior
    lines = script.lines()
    assert [(line.speaker, line.text) for line in lines] == [
        ("MAYA", "Last boat's gone."), ("TOM", "Then we swim."), ("Maya", "Then we wait.")]
    assert lines[0].extension == "V.O." and lines[0].parenthetical == "quietly"
    assert lines[1].dual and lines[2].dual
    assert any(shot.action.startswith("Rain on the window. Maya counts coins.") for shot in first.shots)
    # spans give the line of the FDX where the paragraph starts
    assert lines[0].source.line == 6


def test_broken_fdx_names_the_line(tmp_path):
    path = tmp_path / "bad.fdx"
    path.write_text('<?xml version="1.0"?>\n<FinalDraft>\n<Content>\n<Paragraph Type="Action"><Text>x</Paragraph>\n</Content></FinalDraft>', encoding="utf-8")
    with pytest.raises(ScriptError, match=r"bad\.fdx:4"):
        breakdown_source(path)


ZH_STORY = "第一章 茶馆\n\n　　回到茶馆，王掌柜在擦桌子。\n　　“今天的雨真大。”王掌柜说。\n　　林夏收起伞，笑道：“可不是嘛。”\n"
JA_STORY = "第1話　雨\n\n　茶屋にて、花子は傘をたたんだ。\n「ひどい雨ですね」と花子は言った。\n「本当に」と山田が答えた。\n"


@pytest.mark.parametrize("codec, text, language, speakers", [
    ("gb18030", ZH_STORY, "zh", ["王掌柜", "林夏"]),
    ("shift_jis", JA_STORY, "ja", ["花子", "山田"]),
])
def test_legacy_encodings_stream_to_a_script(tmp_path, codec, text, language, speakers):
    path = tmp_path / f"story.{codec}.txt"
    path.write_bytes(text.encode(codec))
    prose = open_prose(path)
    assert prose.language == language
    assert "".join(line.text + "\n" for line in prose.lines()) == text
    result = breakdown_source(path)
    assert isinstance(result.script, Script) and result.project.language == language
    assert [line.speaker for line in result.script.lines()] == speakers


def test_mixed_full_and_half_width_quotes(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text(
        '第一章\n\n　　"你来了，"王掌柜说。\n　　“嗯。"林夏点点头，"雨太大了。”\n　　王掌柜笑道："坐吧。”\n　　「谢谢。」林夏说。\n',
        encoding="utf-8",
    )
    lines = breakdown_source(path).script.lines()
    assert [line.text for line in lines] == ["你来了", "嗯。雨太大了。", "坐吧。", "谢谢。"]
    assert [line.speaker for line in lines] == ["王掌柜", "林夏", "王掌柜", "林夏"]


def test_plain_text_screenplay_still_goes_the_fountain_way(tmp_path):
    path = tmp_path / "scene.txt"
    path.write_text("INT. KITCHEN - DAY\n\nMAYA\nHello.\n", encoding="utf-8")
    assert source_kind(path) == "fountain"
    assert breakdown_source(path).script.lines()[0].speaker == "MAYA"


def test_prose_has_its_own_size_cap(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Once upon a time.\n" * 100, encoding="utf-8")
    with pytest.raises(ScriptError, match="limit for prose"):
        open_prose(path, max_bytes=1000)


def test_bytes_that_stop_being_utf8_name_the_line(tmp_path):
    path = tmp_path / "broken.txt"
    # past the sample the encoding is chosen from, so the streaming reader is the one that finds it
    path.write_bytes(("A line of prose that is fine.\n" * 10_000).encode() + b"bad \xff\xfe byte\n")
    with pytest.raises(InputEncodingError, match=r"broken\.txt:10001: .*at byte 300004"):
        breakdown_source(path)


def test_a_docx_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_text("just text", encoding="utf-8")
    with pytest.raises(InputEncodingError, match="not a readable .docx"):
        breakdown_source(path)
