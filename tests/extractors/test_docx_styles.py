"""The styles index of a DOCX package: names along the basedOn chain, defaults, bold, and its two ways of parsing."""

from __future__ import annotations

import pytest

from rolesignal.extractors.docx_styles import DocxStyles
from rolesignal.extractors.errors import CorruptFile

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def styles_xml(prefix: str = "w") -> bytes:
    body = """
      <P:style P:type="paragraph" P:default="1" P:styleId="Normal"><P:name P:val="Normal"/></P:style>
      <P:style P:type="paragraph" P:styleId="Heading2"><P:name P:val="heading 2"/><P:basedOn P:val="Normal"/></P:style>
      <P:style P:type="paragraph" P:styleId="Custom"><P:name P:val="My Heading"/><P:basedOn P:val="Heading2"/>
        <P:rPr><P:b/></P:rPr></P:style>
      <P:style P:type="paragraph" P:styleId="NotBold"><P:name P:val="Quiet"/><P:rPr><P:b P:val="0"/></P:rPr></P:style>
      <P:style P:type="character" P:styleId="Strong"><P:name P:val="Strong"/><P:rPr><P:b/></P:rPr></P:style>
      <P:style P:type="paragraph" P:styleId="Q&quot;d"><P:name P:val="Quoted"/></P:style>
    """.replace("P:", f"{prefix}:")
    return f'<{prefix}:styles xmlns:{prefix}="{W}">{body}</{prefix}:styles>'.encode()


@pytest.mark.parametrize("prefix", ["w", "x"])  # 'x' is not the prefix the fast path looks for: the whole part parses
def test_names_follow_the_based_on_chain_and_an_unknown_id_means_the_default(prefix: str) -> None:
    styles = DocxStyles.from_xml(styles_xml(prefix))
    assert styles.names("Custom") == ["My Heading", "Heading 2", "Normal"]
    assert styles.names("Nowhere") == ["Normal"]
    assert styles.names(None) == ["Normal"]
    assert styles.names("Strong") == ["Normal"]  # a character style asked for as a paragraph style: the default
    assert styles.names('Q"d') == ["Quoted"]


@pytest.mark.parametrize("prefix", ["w", "x"])
def test_bold_is_the_styles_own_setting(prefix: str) -> None:
    styles = DocxStyles.from_xml(styles_xml(prefix))
    assert styles.bold("Custom", "paragraph") is True
    assert styles.bold("Heading2", "paragraph") is False  # not inherited from a base style
    assert styles.bold("NotBold", "paragraph") is False
    assert styles.bold("Strong", "character") is True
    assert styles.bold(None, "character") is False  # no default character style here


def test_no_styles_part_knows_no_style() -> None:
    styles = DocxStyles.from_xml(None)
    assert styles.names("Heading1") == [] and styles.bold("Heading1", "paragraph") is False


def test_a_broken_styles_part_is_a_corrupt_file() -> None:
    with pytest.raises(CorruptFile, match="styles"):
        DocxStyles.from_xml(b'<x:styles xmlns:x="' + W.encode() + b'"><x:style></x:styles>')
