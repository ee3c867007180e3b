"""Image files for upload tests, made on the fly."""

from io import BytesIO

from PIL import Image


def png_bytes(size=(64, 48), color=(31, 111, 92)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF holds a GPS position (which must not survive upload)."""
    image = Image.new("RGB", (80, 60), (200, 50, 50))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (24.0, 29.0, 0.0), 3: "E", 4: (118.0, 7.0, 0.0)}
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()
