"""Auditing a folder: its post files and its pictures (text in the picture, faces, metadata)."""

from PIL import Image, ImageDraw, ImageFont

from carelint.audit.readers import AuditImage, AuditPost, read_paths
from carelint.audit.runner import run_audit
from carelint.settings import Policy


def wristband(path):
    image = Image.new("RGB", (1000, 300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    draw.text((40, 40), "SMITH, JOHN", fill="black", font=font)
    draw.text((40, 120), "DOB 03/14/1952 MRN 00482913", fill="black", font=font)
    image.save(path)


def export_folder(tmp_path):
    folder = tmp_path / "export"
    (folder / "media").mkdir(parents=True)
    (folder / "posts.csv").write_text("text\nOur patient Maria Gonzalez went home today!\nFlu shots today.\n")
    wristband(folder / "media" / "band.png")
    (folder / "media" / "broken.jpg").write_bytes(b"not really a jpeg")
    (folder / "media" / "clip.mp4").write_bytes(b"\0\0\0 ftyp")  # not a post or picture: skipped
    return folder


def test_folders_expand_to_their_post_files_and_pictures(tmp_path):
    folder = export_folder(tmp_path)
    items = list(read_paths([folder]))
    assert [type(i) for i in items] == [AuditImage, AuditImage, AuditPost, AuditPost]
    assert {i.path.name for i in items if isinstance(i, AuditImage)} == {"band.png", "broken.jpg"}


def test_pictures_in_a_folder_are_checked_and_a_broken_one_is_reported(tmp_path, checker):
    folder = export_folder(tmp_path)
    result = run_audit(read_paths([folder]), policy=Policy(), checker=checker)
    assert result.totals.posts == 3  # two posts and the readable picture
    by_source = {p.post.source: p for p in result.posts}
    band = by_source[str(folder / "media" / "band.png")]
    assert band.post.location == "image" and "00482913" in band.post.text
    high = [f for f in band.findings if f.severity == "high"]
    assert any(f.type == "MEDICAL_RECORD_NUMBER" for f in high)
    assert all("px)" in f.message for f in high)  # where in the picture
    assert any(f.text == "Maria Gonzalez" for p in result.posts for f in p.findings)
    [error] = result.errors
    assert error.source == str(folder / "media" / "broken.jpg") and error.location == "image"
