"""False faces on pictures without people, and faces found on pictures with people.

Pictures without people: generated here (seeded): drawn landscapes (sky, hills, sun, trees),
charts (matplotlib), text posters, geometric patterns and textures, the kinds a clinic posts;
and the photographs without people that ship in scikit-image (a cat, coffee, coins, a rocket,
motorcycles, microscopy, a page of text...).
Pictures with people: the photographs of people that ship in the packages here (matplotlib's
grace_hopper.jpg; scikit-image's astronaut and cameraman), at several sizes, crops, mirrored,
and placed on generated backgrounds; and group pictures, 3 to 8 of them small on one picture,
where each face counts. Three people in many framings: a floor, not a survey.

    .venv/bin/python bench/faces_eval.py [--n 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from carelint.images.faces import FaceDetector  # noqa: E402


def landscape(rng: random.Random) -> Image.Image:
    w, h = rng.choice([(800, 600), (1080, 1080), (1200, 675)])
    img = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(img)
    top, bottom = [rng.randrange(256) for _ in range(3)], [rng.randrange(256) for _ in range(3)]
    for y in range(h):
        t = y / h
        d.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(rng.randint(2, 5)):  # hills
        base = rng.randint(h // 2, h)
        pts = [(0, h)] + [(x, base - rng.randint(0, h // 3)) for x in range(0, w + 100, 100)] + [(w, h)]
        d.polygon(pts, fill=tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(rng.randint(0, 2)):  # sun, moon
        r, x, y = rng.randint(20, 90), rng.randint(0, w), rng.randint(0, h // 2)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(255, rng.randint(180, 255), rng.randint(0, 120)))
    for _ in range(rng.randint(0, 12)):  # trees
        x, y, s = rng.randint(0, w), rng.randint(h // 2, h), rng.randint(20, 80)
        d.rectangle([x - s // 8, y, x + s // 8, y + s], fill=(90, 60, 30))
        d.ellipse([x - s // 2, y - s, x + s // 2, y + s // 4], fill=(20, rng.randint(90, 160), 40))
    return img.filter(ImageFilter.GaussianBlur(rng.choice([0, 0, 1, 2])))


def chart(rng: random.Random) -> Image.Image:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(rng.uniform(5, 9), rng.uniform(4, 7)), dpi=100)
    kind = rng.choice(["line", "bar", "pie", "scatter"])
    xs = np.arange(12)
    if kind == "line":
        for _ in range(rng.randint(1, 4)):
            ax.plot(xs, np.cumsum(np.array([rng.gauss(0, 1) for _ in xs])))
    elif kind == "bar":
        ax.bar(xs, [rng.uniform(1, 10) for _ in xs])
    elif kind == "pie":
        ax.pie([rng.uniform(1, 5) for _ in range(rng.randint(3, 7))], labels=None)
    else:
        ax.scatter([rng.gauss(0, 1) for _ in range(200)], [rng.gauss(0, 1) for _ in range(200)], s=8)
    ax.set_title(rng.choice(["Flu shots this season", "Visits by month", "Wait times", "Vaccination rate"]))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def poster(rng: random.Random) -> Image.Image:
    img = Image.new("RGB", (1080, 1080), tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=rng.randint(40, 90))
    for i, line in enumerate(rng.sample(["FLU CLINIC", "Saturday 9-1", "Walk-ins welcome", "Free screenings",
                                         "Open late", "New patients", "Book online", "Stay healthy"], 4)):
        d.text((80, 120 + i * 200), line, fill=tuple(rng.randrange(256) for _ in range(3)), font=font)
    for _ in range(rng.randint(0, 6)):
        x, y, r = rng.randint(0, 1080), rng.randint(0, 1080), rng.randint(10, 120)
        d.ellipse([x - r, y - r, x + r, y + r], outline=(255, 255, 255), width=rng.randint(2, 10))
    return img


def pattern(rng: random.Random) -> Image.Image:
    arr = np.array([[rng.random() for _ in range(64)] for _ in range(64)], dtype=np.float32)
    img = Image.fromarray((arr * 255).astype(np.uint8)).resize((900, 900), Image.BICUBIC)
    dark, light = (tuple(rng.randrange(256) for _ in range(3)) for _ in range(2))
    return ImageOps.colorize(img, dark, light)


def with_person(rng: random.Random, face: Image.Image) -> Image.Image:
    w = rng.randint(180, 520)
    person = face.resize((w, int(w * face.height / face.width)))
    if rng.random() < 0.5:
        person = ImageOps.mirror(person)
    bg = landscape(rng) if rng.random() < 0.5 else poster(rng)
    at = (rng.randint(0, max(0, bg.width - person.width)), rng.randint(0, max(0, bg.height - person.height)))
    bg.paste(person, at)
    return bg


SKIMAGE_WITHOUT_PEOPLE = ["brick", "cell", "chelsea", "coffee", "coins", "color", "grass", "gravel", "horse",
                          "hubble_deep_field", "ihc", "logo", "moon", "motorcycle_left", "motorcycle_right", "page",
                          "retina", "rocket", "text", "microaneurysms"]
SKIMAGE_PEOPLE = ["astronaut", "camera"]


def skimage_picture(name: str) -> Image.Image:
    """A sample photograph from scikit-image's wheel, read straight from its data folder."""
    import importlib.util

    folder = Path(next(iter(importlib.util.find_spec("skimage").submodule_search_locations))) / "data"
    path = next(folder.glob(f"{name}.*"))
    return Image.open(path).convert("RGB")


def group(rng: random.Random, people: list[Image.Image]) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """3 to 8 people, each 70–160 px wide, on a 1600×1000 background: their boxes too."""
    bg = landscape(rng).resize((1600, 1000)) if rng.random() < 0.5 else poster(rng).resize((1600, 1000))
    boxes: list[tuple[int, int, int, int]] = []
    for _ in range(rng.randint(3, 8)):
        face = rng.choice(people)
        w = rng.randint(70, 160)
        person = face.resize((w, int(w * face.height / face.width)))
        for _attempt in range(20):
            x, y = rng.randint(0, 1600 - w), rng.randint(0, 1000 - person.height)
            if all(x + w < bx or bx + bw < x or y + person.height < by or by + bh < y for bx, by, bw, bh in boxes):
                bg.paste(person, (x, y))
                boxes.append((x, y, w, person.height))
                break
    return bg, boxes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="generated pictures without people")
    ap.add_argument("--json")
    args = ap.parse_args()
    rng = random.Random(16)
    detector = FaceDetector()
    makers = [landscape, chart, poster, pattern]
    false_pictures = sum(1 for i in range(args.n) if detector.detect(makers[i % len(makers)](rng)))
    false_photos = [name for name in SKIMAGE_WITHOUT_PEOPLE if detector.detect(skimage_picture(name))]
    import matplotlib.cbook

    people = [Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg")).convert("RGB")]
    people += [skimage_picture(name) for name in SKIMAGE_PEOPLE]
    with_people = [with_person(rng, people[i % len(people)]) for i in range(60)]
    found = sum(1 for img in with_people if detector.detect(img))
    group_faces = group_found = 0
    for _ in range(20):
        picture, boxes = group(rng, people)
        centres = [((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in
                   ((x, y, x + w, y + h) for x, y, w, h in detector.detect(picture))]
        group_faces += len(boxes)
        group_found += sum(1 for bx, by, bw, bh in boxes
                           if any(bx <= cx <= bx + bw and by <= cy <= by + bh for cx, cy in centres))
    result = {"generated_without_people": args.n, "with_a_false_face": false_pictures,
              "false_face_rate": round(false_pictures / args.n, 3),
              "photos_without_people": len(SKIMAGE_WITHOUT_PEOPLE), "photos_with_a_false_face": false_photos,
              "pictures_with_a_person": len(with_people), "face_found": found,
              "recall": round(found / len(with_people), 3),
              "faces_in_group_pictures": group_faces, "group_faces_found": group_found,
              "group_recall": round(group_found / max(1, group_faces), 3)}
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
