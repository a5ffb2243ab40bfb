"""Draw the resident app's icons (PNG) into geoportal/static/geoportal/pwa/icons/.

Run once when the brand changes and commit the files: the server never draws them.
    .venv/bin/python scripts/make_pwa_icons.py
SIP's brand: the bar's blue (#1d4f91), white "SIP" in DejaVu Sans Bold, a map pin.
A maskable icon keeps its drawing inside the central 80 % circle (the safe zone) and fills the
whole square with the background, because launchers cut it to their own shape.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BLUE = (29, 79, 145, 255)
WHITE = (255, 255, 255, 255)
RED = (176, 28, 46, 255)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
OUT = Path(__file__).resolve().parents[1] / "geoportal" / "static" / "geoportal" / "pwa" / "icons"


def draw(size: int, *, maskable: bool) -> Image.Image:
    scale = 4  # drawn large and scaled down: smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), BLUE if maskable else (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if not maskable:
        d.rounded_rectangle([0, 0, s - 1, s - 1], radius=int(s * 0.18), fill=BLUE)
    # Content box: the safe zone of a maskable icon is a circle of 80 % of the side.
    box = s * (0.56 if maskable else 0.72)
    cx = s / 2
    top = (s - box) / 2
    # A map pin above the letters.
    pin_r = box * 0.17
    pin_cy = top + pin_r * 1.05
    d.ellipse([cx - pin_r, pin_cy - pin_r, cx + pin_r, pin_cy + pin_r], fill=RED)
    d.polygon(
        [
            (cx - pin_r * 0.82, pin_cy + pin_r * 0.55),
            (cx + pin_r * 0.82, pin_cy + pin_r * 0.55),
            (cx, pin_cy + pin_r * 2.1),
        ],
        fill=RED,
    )
    d.ellipse(
        [cx - pin_r * 0.42, pin_cy - pin_r * 0.42, cx + pin_r * 0.42, pin_cy + pin_r * 0.42], fill=WHITE
    )
    font = ImageFont.truetype(FONT, int(box * 0.42))
    text_top = pin_cy + pin_r * 2.25
    d.text((cx, text_top), "SIP", font=font, fill=WHITE, anchor="ma")
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
        draw(size, maskable=True).save(OUT / f"maskable-{size}.png", optimize=True)
    # iOS takes the home-screen icon from apple-touch-icon (180 px, no transparency).
    draw(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
